import paddleSlimResults from './reference/paddleslim-results.json';
import { fixed, markdownTable } from './markdown-table';

/** One width of the OFA table. */
export interface OfaRow {
  width: number;
  /** Heads and FFN neurons each layer keeps at this width. */
  heads: number;
  intermediate: number;
  /** Every parameter of the exported sub-model, and those of its embeddings and encoder layers. */
  parameters: number;
  encoderParameters: number;
  task: string;
  metric: string;
  value: number;
  /** `value` / the fine-tuned teacher's value (`null` when that is 0). */
  retention: number | null;
  /** Median forward pass of one sequence, and width 1's latency over this width's. */
  latencyMs: number | null;
  speedup: number | null;
}

/** What `ofa-<scale>.json` holds. */
export interface OfaResult {
  benchmark: 'ofa';
  scale: string;
  backend: string;
  seconds: number;
  seed: number;
  model: { layers: number; hidden: number; heads: number };
  task: string;
  sequenceLength: number;
  teacher: { parameters: number; metric: string; value: number };
  supernetLoss: { first: number | null; final: number | null };
  rows: OfaRow[];
}

/** PaddleSlim's published OFA numbers for BERT-base, as `paddleslim-results.json` holds them. */
export interface PaddleSlimResults {
  source: { url: string; also?: string; what: string };
  missing: string;
  latency: { device: string; batchSize: number; sequenceLength: number; unit: string; byWidth: Record<string, number | null> };
  parameters: Record<string, number | null>;
  metrics: Record<string, { metric: string; byWidth: Record<string, number | null> }>;
}

/**
 * PaddleSlim's published OFA results for BERT-base (`reference/paddleslim-results.json`, with its source).
 *
 * @example
 * ```ts
 * loadPaddleSlimResults().parameters['0.667']; // 81000000
 * ```
 */
export function loadPaddleSlimResults(): PaddleSlimResults {
  return structuredClone(paddleSlimResults) as PaddleSlimResults;
}

/**
 * The key PaddleSlim's table uses for a width (`'1.0'`, `'0.833'`, `'0.5'`).
 *
 * @example
 * ```ts
 * widthKey(2 / 3); // '0.667'
 * ```
 */
export function widthKey(width: number): string {
  return width === 1 ? '1.0' : String(Number(width.toFixed(3)));
}

/**
 * The Markdown report of an OFA run: per width, heads / FFN kept, parameters (all, and embeddings
 * + encoder), the metric and its retention against the fine-tuned teacher, the median latency and
 * speedup; beside PaddleSlim's parameters, SST-2 / MNLI accuracy and CPU latency for BERT-base.
 *
 * @example
 * ```ts
 * const markdown = formatOfaMarkdown(json); // json as written to ofa-<scale>.json
 * ```
 */
export function formatOfaMarkdown(result: OfaResult): string {
  const paddle = loadPaddleSlimResults();
  const header = ['width', 'heads', 'FFN', 'parameters', 'embeddings + encoder', result.rows[0]?.metric ?? 'metric', 'retention', 'latency (ms)', 'speedup', 'PaddleSlim parameters', 'PaddleSlim SST-2 acc', 'PaddleSlim MNLI-m acc', 'PaddleSlim CPU latency (ms)'];
  const body = result.rows.map((row) => {
    const key = widthKey(row.width);
    const parameters = paddle.parameters[key];
    return [
      fixed(row.width, 3), row.heads, row.intermediate, row.parameters, row.encoderParameters, fixed(row.value, 4), fixed(row.retention, 3), fixed(row.latencyMs, 2), fixed(row.speedup, 2),
      parameters == null ? null : `${(parameters / 1e6).toFixed(0)}M`, fixed(paddle.metrics.sst2.byWidth[key], 4), fixed(paddle.metrics.mnli.byWidth[key], 4), fixed(paddle.latency.byWidth[key], 1),
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
