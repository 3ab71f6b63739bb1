/** The Markdown table of a serve benchmark report (see run.mjs). */
export function serveMarkdown(report) {
  const lines = [
    `# pofa serve under load`,
    '',
    `${report.layers} x ${report.hidden} BERT classifier, ${Math.round(report.sparsity * 100)}% sparse encoder Linear weights, int8; one text of about 40 wordpieces per request;`,
    `autocannon for ${report.duration} s per cell on ${report.cpus} CPU(s) (${report.cpu}), server threads ${report.threads}, Node ${report.node}; all servers up at once, taking turns`,
    'at each concurrency. Mean batch = inputs per forward pass. The 1-minute load average of the machine is in the last column: on a shared',
    'machine it includes other work, and the figures are only comparable within a concurrency.',
    '',
    '| server | concurrency | req/s | p50 ms | p99 ms | mean batch | failed (non-2xx or client error) | load avg (1 min) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of report.rows) {
    lines.push(`| ${row.server} | ${row.concurrency} | ${row.requestsPerSecond.toFixed(1)} | ${row.p50Ms} | ${row.p99Ms} | ${Number.isFinite(row.meanBatch) ? row.meanBatch.toFixed(1) : '-'} | ${row.non2xx + row.errors} | ${row.loadAverage1m.toFixed(2)} |`);
  }
  return `${lines.join('\n')}\n`;
}
