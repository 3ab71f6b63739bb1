// The OFA width table beside PaddleSlim's published OFA BERT numbers.
import { readFileSync } from 'node:fs';
import { fixed, markdownTable } from '../shared/markdown-table.mjs';

/**
 * PaddleSlim's published OFA results for BERT-base (`paddleslim-results.json`, with its source).
 *
 * @example
 * ```js
 * loadPaddleSlimResults().parameters['0.667']; // 81000000
 * ```
 */
export function loadPaddleSlimResults() {
  return JSON.parse(readFileSync(new URL('./paddleslim-results.json', import.meta.url), 'utf8'));
}

/** The key PaddleSlim's table uses for a width (`'1.0'`, `'0.833'`, `'0.5'`). */
export function widthKey(width) {
  return width === 1 ? '1.0' : String(Number(width.toFixed(3)));
}

/**
 * The Markdown report of an OFA run: per width, heads / FFN kept, parameters (all, and embeddings
 * + encoder), the metric and its retention against the fine-tuned teacher, the median latency and
 * speedup; beside PaddleSlim's parameters, SST-2 / MNLI accuracy and CPU latency for BERT-base.
 *
 * @example
 * ```js
 * const markdown = formatOfaMarkdown(json); // json as written to ofa-<scale>.json
 * ```
 */
export function formatOfaMarkdown(result) {
  const paddle = loadPaddleSlimResults();
  const header = ['width', 'heads', 'FFN', 'parameters', 'embeddings + encoder', result.rows[0]?.metric ?? 'metric', 'retention', 'latency (ms)', 'speedup', 'PaddleSlim parameters', 'PaddleSlim SST-2 acc', 'PaddleSlim MNLI-m acc', 'PaddleSlim CPU latency (ms)'];
  const body = result.rows.map((row) => {
    const key = widthKey(row.width);
    return [
      fixed(row.width, 3), row.heads, row.intermediate, row.parameters, row.encoderParameters, fixed(row.value, 4), fixed(row.retention, 3), fixed(row.latencyMs, 2), fixed(row.speedup, 2),
      paddle.parameters[key] == null ? null : `${(paddle.parameters[key] / 1e6).toFixed(0)}M`, fixed(paddle.metrics.sst2.byWidth[key], 4), fixed(paddle.metrics.mnli.byWidth[key], 4), fixed(paddle.latency.byWidth[key], 1),
    ];
  });
  return [
    `# Once-for-all width supernet — scale \`${result.scale}\``,
    '',
    `A ${result.model.layers}-layer, ${result.model.hidden}-wide BERT (${result.model.heads} heads) pre-trained on the embedded corpus and fine-tuned on \`${result.task}\` (the teacher: ${result.teacher.metric} ${fixed(result.teacher.value, 4)}, ${result.teacher.parameters} parameters), reordered by importance and trained as a width supernet (distillation from the frozen teacher at every width; loss ${fixed(result.supernetLoss.first, 4)} → ${fixed(result.supernetLoss.final, 4)}); each width exported as a physically smaller model. Metric: ${result.task}'s primary metric on its test split; retention: against the teacher. Latency: median forward pass of one sequence of ${result.sequenceLength} tokens, backend ${result.backend}, widths taking turns.`,
    '',
    markdownTable(header, body, header.map((_, index) => (index === 0 ? 'l' : 'r'))),
    '',
    `PaddleSlim columns: bert-base-uncased on GLUE dev (${paddle.source.url}; latency: ${paddle.latency.device}, batch ${paddle.latency.batchSize}, sequence ${paddle.latency.sequenceLength}). ${paddle.missing}`,
    '',
    `Run: ${result.seconds.toFixed(0)} s wall time.`,
    '',
  ].join('\n');
}
