// The Markdown report and the SVG plot of a sparse-kernels run (results as run.mjs writes them).

const fixed = (value, digits, suffix = '') => (value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)}${suffix}`);
const percent = (fraction) => `${Math.round(fraction * 100)}%`;
const share = (part, total) => fixed((100 * part) / total, 1, '%');

function header(results) {
  const { machine: m, settings: s } = results;
  const cpu = [m.vendor, m.family === null ? null : `family ${m.family}`, m.model === null ? null : `model ${m.model}`, m.stepping === null ? null : `stepping ${m.stepping}`].filter((part) => part !== null).join(', ');
  return [
    `# Sparse kernels vs onnxruntime-node: ${results.name}`,
    '',
    `Machine: ${m.cpu} (${cpu}), ${m.cores} cores; Node ${m.node}, onnxruntime-node ${m.onnxruntime}; pofa kernels ${m.kernels.name} (${m.kernels.isa}). ${m.threads} thread(s) for every engine (onnxruntime: intra-op ${s.ort.intraOpNumThreads}, inter-op ${s.ort.interOpNumThreads}).`,
    `Encoder: ${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads, FFN ${s.ffn}, vocabulary ${s.vocab}, seeded random weights; the encoder Linear weights pruned by magnitude per tensor (unstructured, or 4x1 tiles), int8 per output row.`,
    `Timing: in each (batch, seq) cell the engines take turns, once each per round, ${s.rounds} rounds after ${s.warmup} warm-up round(s), each run started once the process's threads were idle (onnxruntime's workers spin on after a run; up to 250 ms wait, untimed); ms is each engine's median, the speedups are medians of the per-round ratios.`,
    `Load average (1, 5, 15 minutes): ${m.loadAverage.start.join(', ')} at start; ${m.loadAverage.end.join(', ')} at end.`,
    ...(results.note ? ['', `> ${results.note}`] : []),
  ];
}

/** The Markdown report: machine and settings, one timing table per cell, checks, profiles, kernels vs peak, compression. */
export function markdownReport(results) {
  const lines = header(results);
  for (const cell of results.cells) {
    lines.push('', `## Batch ${cell.batch} × ${cell.seq} tokens`, '', '| engine | pattern | sparsity | dtype | ms / batch | tokens / s | vs ORT fp32 | vs ORT int8 |', '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |');
    for (const row of cell.rows) {
      lines.push(`| ${row.engine} | ${row.pattern} | ${percent(row.sparsity)} | ${row.dtype} | ${fixed(row.msPerBatch, row.msPerBatch < 10 ? 3 : 1)} | ${fixed((cell.batch * cell.seq * 1000) / row.msPerBatch, 0)} | ${fixed(row.speedupVsOrtFp32, 2, 'x')} | ${fixed(row.speedupVsOrtInt8, 2, 'x')} |`);
    }
  }
  lines.push('', '## Checks before timing', '', 'Last hidden states of one padded batch (2 × 16 tokens or the shortest seq) against onnxruntime fp32 on the same weights; an engine beyond tolerance (1e-3 of the largest |value| for fp32, 0.1 for int8) is not timed.', '', '| engine | reference | max difference | tolerance | agrees |', '| --- | --- | ---: | ---: | --- |');
  for (const check of results.checks) lines.push(`| ${check.label} | ${check.reference} | ${check.maxDifference.toExponential(2)} | ${check.tolerance.toExponential(2)} | ${check.agrees ? 'yes' : '**no: not timed**'} |`);
  if (results.profiles.length > 0) {
    lines.push('', '## Where the time goes (pofa runtime, the median of up to 3 profiled passes)', '');
    lines.push('Shares of the pass: Linear = Q/K/V and attention output projections; FFN = its two Linears with the fused GELU; GELU alone = the GELU kernel by itself on the FFN intermediate once per layer (what it costs unfused; inside the FFN share here); embeddings = word + position + type sums and input checks (JavaScript) before the first kernel. Linear GFLOP/s counts useful (non-zero) multiply-adds of Linear + FFN, against the fp32 or int8 peak below.', '');
    lines.push('| variant | batch × seq | ms | Linear | FFN | GELU alone | attention | LayerNorm | residual adds | embeddings | other | Linear GFLOP/s | of peak | attention GFLOP/s | of peak |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const p of results.profiles) {
      const t = p.totalMs;
      const s = p.stages;
      lines.push(`| ${p.label} | ${p.batch} × ${p.seq} | ${fixed(t, 1)} | ${share(s.linear, t)} | ${share(s.feedForward, t)} | ${share(p.geluAloneMs, t)} | ${share(s.attention, t)} | ${share(s.layerNorm, t)} | ${share(s.residual, t)} | ${share(s.embeddings, t)} | ${share(s.other, t)} | ${fixed(p.linearGflops, 1)} | ${fixed(p.linearFractionOfPeak, 3)} | ${fixed(p.attentionGflops, 1)} | ${fixed(p.attentionFractionOfPeak, 3)} |`);
    }
  }
  const { peak } = results;
  lines.push('', '## Kernels alone vs peak', '', `Peak: fp32 ${fixed(peak.fp32Gflops, 1)} GFLOP/s (${peak.fp32Source}); int8 ${fixed(peak.int8Gops, 1)} GOP/s (${peak.int8Source}). Best measured dense fp32 GEMM ${fixed(peak.bestGemmGflops, 1)} GFLOP/s, dense int8 ${fixed(peak.bestDenseInt8Gops, 1)} GOP/s.`, '');
  lines.push('| kernel | pattern | sparsity | dtype | tokens | useful GFLOP/s | fraction of peak |', '| --- | --- | ---: | --- | ---: | ---: | ---: |');
  for (const k of results.kernels) lines.push(`| ${k.kernel}${k.seq === undefined ? '' : ` (seq ${k.seq})`} | ${k.pattern} | ${percent(k.sparsity)} | ${k.dtype} | ${k.tokens} | ${fixed(k.gflops, 1)} | ${fixed(k.fractionOfPeak, 3)} |`);
  lines.push('', '## Compression of the encoder Linear weights', '', '| bundle | nominal | on disk | entropy bound | file bytes |', '| --- | ---: | ---: | ---: | ---: |');
  for (const c of results.compression) lines.push(`| ${c.label} | ${fixed(c.nominal, 1, 'x')} | ${fixed(c.onDisk, 1, 'x')} | ${fixed(c.entropyBound, 1, 'x')} | ${c.fileBytes} |`);
  return `${lines.join('\n')}\n`;
}

const SERIES = [
  { pattern: 'unstructured', dtype: 'fp32', color: '#1f77b4', dash: '6 3' },
  { pattern: '4x1', dtype: 'fp32', color: '#1f77b4', dash: '' },
  { pattern: 'unstructured', dtype: 'int8', color: '#d62728', dash: '6 3' },
  { pattern: '4x1', dtype: 'int8', color: '#d62728', dash: '' },
];

/** One panel: pofa's speedup over ORT fp32 against sparsity (dense at 0), with ORT fp32 (1x) and ORT int8 as flat lines. */
function panel(cell, sparsities, { x0, y0, width, height }) {
  const pofa = cell.rows.filter((row) => row.engine === 'pofa');
  const ortInt8 = cell.rows.find((row) => row.label === 'ort int8')?.speedupVsOrtFp32 ?? null;
  const values = [1, ortInt8, ...pofa.map((row) => row.speedupVsOrtFp32)].filter((value) => value !== null && Number.isFinite(value));
  const yMax = Math.max(1.5, Math.ceil(Math.max(...values) * 1.15));
  const xs = [0, ...sparsities];
  const px = (sparsity) => x0 + (xs.indexOf(sparsity) / Math.max(1, xs.length - 1)) * width;
  const py = (speedup) => y0 + height - (speedup / yMax) * height;
  const parts = [`<rect x="${x0}" y="${y0}" width="${width}" height="${height}" fill="none" stroke="#444"/>`, `<text x="${x0 + width / 2}" y="${y0 - 8}" text-anchor="middle">batch ${cell.batch} × ${cell.seq}</text>`];
  const step = Math.max(1, Math.ceil(yMax / 6));
  for (let tick = 0; tick <= yMax; tick += step) {
    parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${py(tick).toFixed(1)}" y2="${py(tick).toFixed(1)}" stroke="#e5e5e5"/>`, `<text x="${x0 - 6}" y="${(py(tick) + 4).toFixed(1)}" text-anchor="end">${tick}x</text>`);
  }
  for (const sparsity of xs) parts.push(`<text x="${px(sparsity).toFixed(1)}" y="${y0 + height + 16}" text-anchor="middle">${sparsity === 0 ? 'dense' : percent(sparsity)}</text>`);
  parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${py(1).toFixed(1)}" y2="${py(1).toFixed(1)}" stroke="#000" stroke-dasharray="2 3"/>`);
  if (ortInt8 !== null) parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${py(ortInt8).toFixed(1)}" y2="${py(ortInt8).toFixed(1)}" stroke="#888" stroke-width="2" stroke-dasharray="2 3"/>`);
  for (const series of SERIES) {
    const points = pofa
      .filter((row) => row.dtype === series.dtype && (row.pattern === series.pattern || row.pattern === 'dense') && Number.isFinite(row.speedupVsOrtFp32))
      .sort((a, b) => a.sparsity - b.sparsity)
      .map((row) => `${px(row.sparsity).toFixed(1)},${py(row.speedupVsOrtFp32).toFixed(1)}`);
    if (points.length > 1) parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2"${series.dash === '' ? '' : ` stroke-dasharray="${series.dash}"`}/>`);
    for (const point of points) parts.push(`<circle cx="${point.split(',')[0]}" cy="${point.split(',')[1]}" r="3" fill="${series.color}"/>`);
  }
  return parts;
}

/**
 * The SVG plot: one panel per (batch, seq) cell of pofa's speedup over onnxruntime fp32 against
 * sparsity (dense at the left), fp32 in blue and int8 in red, unstructured dashed and 4x1 solid,
 * beside onnxruntime fp32 (1x) and onnxruntime's dynamic int8 (grey).
 */
export function speedupSvg(results) {
  const panelWidth = 300;
  const panelHeight = 240;
  const margin = { left: 56, top: 56, gap: 60, legend: 210, bottom: 48 };
  const count = Math.max(1, results.cells.length);
  const width = margin.left + count * panelWidth + (count - 1) * margin.gap + margin.legend;
  const height = margin.top + panelHeight + margin.bottom;
  const title = `pofa runtime speedup over onnxruntime fp32, ${results.settings.layers} layers × hidden ${results.settings.hidden}, ${results.machine.threads} thread(s)`;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`, `<rect width="${width}" height="${height}" fill="white"/>`, `<text x="${margin.left}" y="22" font-size="14">${title}</text>`];
  results.cells.forEach((cell, index) => parts.push(...panel(cell, results.settings.sparsities, { x0: margin.left + index * (panelWidth + margin.gap), y0: margin.top, width: panelWidth, height: panelHeight })));
  parts.push(`<text x="${margin.left + (width - margin.left - margin.legend) / 2}" y="${height - 10}" text-anchor="middle">sparsity of the encoder Linear weights</text>`);
  const legend = [...SERIES.map((series) => ({ ...series, name: `pofa ${series.pattern} ${series.dtype}`, width: 2 })), { name: 'onnxruntime int8 (dynamic)', color: '#888', dash: '2 3', width: 2 }, { name: 'onnxruntime fp32 (1x)', color: '#000', dash: '2 3', width: 1 }];
  const legendX = width - margin.legend + 10;
  legend.forEach((item, index) => {
    const y = margin.top + 10 + index * 20;
    parts.push(`<line x1="${legendX}" x2="${legendX + 26}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="${item.width}"${item.dash === '' ? '' : ` stroke-dasharray="${item.dash}"`}/>`, `<text x="${legendX + 32}" y="${y + 4}">${item.name}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
