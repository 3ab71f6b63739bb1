import { z } from 'zod';
import { writeFileAtomic } from '@pofa/core';
import { textBaseline, type RunTask, type SpanRunTask } from '@pofa/tasks';

/**
 * One row of the final table (and of `--json FILE`). `null` means "not measured": pofa never
 * fills a number it did not measure. `value` is the metric of the tfjs model (fake-quantized for
 * `sparse-int8`); `runtimeValue` the metric of the row's `.pofa` bundle on the sparse-kernels
 * runtime (the deployed model). Sizes are those of the encoder Linear weights: nominal = non-zeros
 * × bits / 8 (the paper's arithmetic), on disk = their bytes in the bundle; `bundleBytes` is the
 * whole file. Latency is the bundle runtime's, and `speedup` the dense bundle's latency over the row's.
 *
 * @example
 * ```ts
 * reportRowSchema.parse({ stage: 'dense', task: 'spam', metric: 'f1', value: 0.91, runtimeValue: 0.91, sparsity: 0, encoderBytesNominal: 393_216, encoderBytesOnDisk: 393_216, bundleBytes: 1_200_000, latencyMs: 4.2, speedup: 1 });
 * ```
 */
export const reportRowSchema = z
  .object({
    stage: z.enum(['baseline', 'dense', 'sparse', 'sparse-int8']),
    task: z.string(),
    metric: z.string(),
    value: z.number().nullable(),
    runtimeValue: z.number().nullable(),
    /** Fraction of zeros of the encoder Linear weights (effective weights: masks and quantization applied). */
    sparsity: z.number().min(0).max(1).nullable(),
    encoderBytesNominal: z.number().nonnegative().nullable(),
    encoderBytesOnDisk: z.number().nonnegative().nullable(),
    bundleBytes: z.number().nonnegative().nullable(),
    latencyMs: z.number().nonnegative().nullable(),
    speedup: z.number().nonnegative().nullable(),
  })
  .strict();

/** One row of the final table. */
export type ReportRow = z.output<typeof reportRowSchema>;

function bytes(value: number | null): string {
  if (value === null) return 'not measured';
  if (value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(2)} MiB`;
  return `${(value / 1024).toFixed(1)} KiB`;
}

const orDash = (value: number | null, digits: number, suffix = ''): string => (value === null ? 'not measured' : `${value.toFixed(digits)}${suffix}`);

/**
 * The rows as a Markdown table for the terminal.
 *
 * @example
 * ```ts
 * process.stdout.write(formatReportTable(rows));
 * ```
 */
export function formatReportTable(rows: readonly ReportRow[]): string {
  const header = ['stage', 'task', 'metric', 'value', 'value (runtime)', 'sparsity', 'encoder (nominal)', 'encoder (on disk)', 'bundle', 'latency', 'speedup'];
  const body = rows.map((row) => {
    if (row.stage === 'baseline') return ['baseline', row.task, row.metric, orDash(row.value, 4), '—', '—', '—', '—', '—', '—', '—'];
    return [
      row.stage,
      row.task,
      row.metric,
      orDash(row.value, 4),
      orDash(row.runtimeValue, 4),
      row.sparsity === null ? 'not measured' : `${(100 * row.sparsity).toFixed(2)}%`,
      bytes(row.encoderBytesNominal),
      bytes(row.encoderBytesOnDisk),
      bytes(row.bundleBytes),
      orDash(row.latencyMs, 2, ' ms'),
      orDash(row.speedup, 2, 'x'),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const table = [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...body.map(line)].join('\n') + '\n';
  if (!rows.some((row) => row.stage === 'baseline')) return table;
  const note = baselineNote(rows);
  return `${table}baseline: TF-IDF of words and word pairs + logistic regression (ridge for regression), on the same splits\n${note === undefined ? '' : `${note}\n`}`;
}

/**
 * A line saying so when the TF-IDF baseline row scores at least as well as the best transformer
 * row of its task (the transformer is then not worth its cost on this data), else undefined.
 *
 * @example
 * ```ts
 * baselineNote(rows); // 'Note: on spam the TF-IDF baseline (f1 0.9603) scores at least as well as the best transformer row (dense, 0.8730).'
 * ```
 */
export function baselineNote(rows: readonly ReportRow[]): string | undefined {
  const baseline = rows.find((row) => row.stage === 'baseline');
  if (baseline === undefined || baseline.value === null) return undefined;
  const others = rows.filter((row) => row.stage !== 'baseline' && row.task === baseline.task && row.value !== null);
  if (others.length === 0) return undefined;
  const best = others.reduce((top, row) => ((row.value as number) > (top.value as number) ? row : top));
  if ((best.value as number) > baseline.value) return undefined;
  return `Note: on ${baseline.task} the TF-IDF baseline (${baseline.metric} ${baseline.value.toFixed(4)}) scores at least as well as the best transformer row (${best.stage}, ${(best.value as number).toFixed(4)}).`;
}

/**
 * The baseline row of a classification or regression task: `textBaseline` of `@pofa/tasks`
 * (TF-IDF + logistic regression or ridge, regularisation chosen on validation) scored on the test
 * split with the task's primary metric; undefined for span QA.
 *
 * @example
 * ```ts
 * const row = baselineRow(task); // { stage: 'baseline', task: 'spam', metric: 'f1', value: 0.96, ... }
 * ```
 */
export function baselineRow(task: RunTask | SpanRunTask): ReportRow | undefined {
  if (task.kind !== 'classification') return undefined;
  const result = textBaseline(task);
  return {
    stage: 'baseline', task: task.name, metric: result.metric, value: result.value, runtimeValue: null, sparsity: null,
    encoderBytesNominal: null, encoderBytesOnDisk: null, bundleBytes: null, latencyMs: null, speedup: null,
  };
}

/**
 * Validates the rows and writes them as JSON (`[{ stage, task, metric, value, ... }]`) atomically.
 *
 * @example
 * ```ts
 * await writeReportJson('results.json', rows);
 * ```
 */
export async function writeReportJson(path: string, rows: readonly ReportRow[]): Promise<void> {
  const checked = rows.map((row) => reportRowSchema.parse(row));
  await writeFileAtomic(path, `${JSON.stringify(checked, null, 2)}\n`);
}

/**
 * The line that says which step of a stage (sparse transfer by default; `Teacher fine-tuning` for
 * the dense row) the table's models come from.
 *
 * @example
 * ```ts
 * keptStepLine({ step: 120, steps: 150, metric: 'f1', value: 0.91 }); // 'Sparse transfer kept step 120 of 150, the best on the validation split (f1 0.9100)'
 * keptStepLine({ step: 500, steps: 1250, metric: 'f1', value: 0.93 }, 'Teacher fine-tuning'); // 'Teacher fine-tuning kept step 500 of 1250, …'
 * ```
 */
export function keptStepLine(kept: { step: number; steps: number; metric: string; value: number }, stage = 'Sparse transfer'): string {
  return `${stage} kept step ${kept.step} of ${kept.steps}, the best on the validation split (${kept.metric} ${kept.value.toFixed(4)})`;
}
