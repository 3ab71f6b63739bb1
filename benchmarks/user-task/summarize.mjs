// The mean and spread over seeds of `pofa compress` runs: reads each run folder's report.json
// (`--out` of one seed each) and prints one Markdown table, a row per stage, a column per seed.
//
//   node benchmarks/user-task/summarize.mjs run-s0 run-s1 run-s2
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error('usage: node summarize.mjs RUN_FOLDER [RUN_FOLDER ...] (each a pofa compress --out)');
  process.exit(2);
}
const reports = folders.map((folder) => JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')));
const rowsOf = (report) => (Array.isArray(report) ? report : report.rows);
const stages = rowsOf(reports[0]).map((row) => row.stage);
const valueOf = (report, stage) => rowsOf(report).find((row) => row.stage === stage)?.value;
const format = (value) => (value === undefined ? '—' : value.toFixed(4));
const spread = (values) => {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return `${mean.toFixed(4)} ± ${deviation.toFixed(4)} (${Math.min(...values).toFixed(4)}–${Math.max(...values).toFixed(4)})`;
};
const metric = rowsOf(reports[0])[0].metric;
console.log(`| stage | ${folders.map((folder) => folder.replace(/.*\//, '')).join(' | ')} | mean ± sd (min–max) |`);
console.log(`|---|${folders.map(() => '---|').join('')}---|`);
for (const stage of stages) {
  const values = reports.map((report) => valueOf(report, stage));
  console.log(`| ${stage} (${metric}) | ${values.map(format).join(' | ')} | ${spread(values)} |`);
}
const retention = reports.map((report) => valueOf(report, 'sparse-int8') / valueOf(report, 'dense'));
if (retention.every(Number.isFinite)) console.log(`| sparse-int8 / dense | ${retention.map(format).join(' | ')} | ${spread(retention)} |`);
