// Markdown table and hand-written SVG plot of the sparse-kernels benchmark results.

const fixed = (value, digits) => (value === null || value === undefined ? '—' : value.toFixed(digits));

/** The Markdown report: machine, settings, the timing table, kernels vs peak, compression. */
export function markdownReport(results) {
  const lines = [];
  const { machine, settings } = results;
  lines.push('# Sparse kernels vs onnxruntime-node', '');
  lines.push(`Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, onnxruntime-node ${machine.ort}; pofa kernels: ${machine.kernels.name} (${machine.kernels.isa}), ${settings.threads} thread(s) for both engines.`);
  lines.push(`Encoder: ${settings.layers} layers, hidden ${settings.hidden}, FFN ${settings.ffn}, sequence ${settings.seq}; median of ${settings.repetitions} runs after ${settings.warmup} warm-up run(s). Load average at start: ${machine.loadAverage.map((v) => v.toFixed(2)).join(', ')}.`);
  if (results.note) lines.push('', `> ${results.note}`);
  lines.push('', '| engine | pattern | sparsity | dtype | batch | ms / batch | speedup vs ORT fp32 |', '| --- | --- | ---: | --- | ---: | ---: | ---: |');
  for (const row of results.rows) {
    lines.push(`| ${row.engine} | ${row.pattern} | ${Math.round(row.sparsity * 100)}% | ${row.dtype} | ${row.batch} | ${fixed(row.msPerBatch, 1)} | ${fixed(row.speedupVsOrtFp32, 2)}x |`);
  }
  lines.push('', `Measured peak: dense fp32 GEMM ${fixed(results.peak.fp32Gflops, 1)} GFLOP/s (${results.peak.fp32Source}); dense int8 ${fixed(results.peak.int8Gops, 1)} GOP/s (${results.peak.int8Source}).`);
  lines.push('', '| kernel | pattern | sparsity | dtype | tokens | useful GFLOP/s | fraction of peak |', '| --- | --- | ---: | --- | ---: | ---: | ---: |');
  for (const kernel of results.kernels) {
    lines.push(`| ${kernel.kernel} | ${kernel.pattern} | ${Math.round(kernel.sparsity * 100)}% | ${kernel.dtype} | ${kernel.tokens} | ${fixed(kernel.gflops, 1)} | ${fixed(kernel.fractionOfPeak, 3)} |`);
  }
  if (results.compression.length > 0) {
    lines.push('', '| bundle | nominal | on disk | entropy bound | encoder Linear bytes on disk | file bytes |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const c of results.compression) {
      lines.push(`| ${c.pattern} ${Math.round(c.sparsity * 100)}% ${c.dtype} | ${fixed(c.nominal, 1)}x | ${fixed(c.onDisk, 1)}x | ${fixed(c.entropyBound, 1)}x | ${c.onDiskBytes} | ${c.fileBytes} |`);
    }
  }
  if (results.profiles?.length > 0) {
    lines.push('', 'Profile of one run (ms per kernel; the rest is JavaScript glue: embeddings, activations, copies):', '', '| variant | batch | total | linear | feedForward | attention | layerNorm | addInPlace | gemm |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const p of results.profiles) {
      const k = p.kernelMs;
      lines.push(`| ${p.pattern} ${Math.round(p.sparsity * 100)}% ${p.dtype} | ${p.batch} | ${fixed(p.totalMs, 1)} | ${fixed(k.linear, 1)} | ${fixed(k.feedForward ?? 0, 1)} | ${fixed(k.attention, 1)} | ${fixed(k.layerNorm, 1)} | ${fixed(k.addInPlace, 1)} | ${fixed(k.gemm, 1)} |`);
    }
  }
  lines.push('', `Correctness guard: pofa dense fp32 vs ORT fp32, max |difference| of the last hidden state = ${results.correctness.maxAbsDifference.toExponential(2)} (limit ${results.correctness.limit}).`);
  return `${lines.join('\n')}\n`;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** An SVG line plot of pofa's speedup over ORT fp32 against sparsity, one line per pattern × dtype × batch. */
export function speedupSvg(results) {
  const width = 720;
  const height = 440;
  const margin = { left: 60, right: 230, top: 30, bottom: 50 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const pofa = results.rows.filter((row) => row.engine === 'pofa' && row.speedupVsOrtFp32 !== null);
  const ort = results.rows.filter((row) => row.engine === 'ort' && row.dtype === 'int8');
  const maxSpeedup = Math.max(1, ...pofa.map((row) => row.speedupVsOrtFp32), ...ort.map((row) => row.speedupVsOrtFp32 ?? 0));
  const yMax = Math.ceil(maxSpeedup * 1.1);
  const x = (sparsity) => margin.left + (sparsity / 0.95) * plotWidth;
  const y = (speedup) => margin.top + plotHeight - (speedup / yMax) * plotHeight;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${margin.left}" y="18" font-size="14">pofa speedup over onnxruntime fp32 (dense), BERT-base shape, seq ${results.settings.seq}</text>`);
  for (let tick = 0; tick <= yMax; tick += Math.max(1, Math.ceil(yMax / 8))) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick}x</text>`);
  }
  for (const sparsity of [0, 0.8, 0.9, 0.95]) {
    parts.push(`<line x1="${x(sparsity)}" x2="${x(sparsity)}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#eee"/>`);
    parts.push(`<text x="${x(sparsity)}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${Math.round(sparsity * 100)}%</text>`);
  }
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">sparsity of the encoder Linear weights</text>`);
  parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(1)}" y2="${y(1)}" stroke="black" stroke-dasharray="4 3"/>`);
  const series = new Map();
  for (const row of pofa) {
    for (const pattern of row.pattern === 'dense' ? ['unstructured', '4x1'] : [row.pattern]) {
      const name = `pofa ${pattern} ${row.dtype}, batch ${row.batch}`;
      if (!series.has(name)) series.set(name, []);
      series.get(name).push(row);
    }
  }
  let index = 0;
  for (const [name, rows] of series) {
    const color = COLORS[index % COLORS.length];
    const dash = name.includes('4x1') ? '' : ' stroke-dasharray="6 3"';
    const points = rows.sort((a, b) => a.sparsity - b.sparsity).map((row) => `${x(row.sparsity).toFixed(1)},${y(row.speedupVsOrtFp32).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.join(' ')}"/>`);
    for (const point of points) parts.push(`<circle cx="${point.split(',')[0]}" cy="${point.split(',')[1]}" r="3" fill="${color}"/>`);
    const legendY = margin.top + 14 + index * 18;
    parts.push(`<line x1="${width - margin.right + 15}" x2="${width - margin.right + 40}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${width - margin.right + 45}" y="${legendY}">${name}</text>`);
    index++;
  }
  for (const row of ort) {
    const legendY = margin.top + 14 + index * 18;
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(row.speedupVsOrtFp32)}" y2="${y(row.speedupVsOrtFp32)}" stroke="#555" stroke-dasharray="1 3"/>`);
    parts.push(`<text x="${width - margin.right + 15}" y="${legendY}">··· ORT int8, batch ${row.batch}: ${row.speedupVsOrtFp32.toFixed(2)}x</text>`);
    index++;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
