import { z } from 'zod';
import { writeFileAtomic } from '@pofa/core';

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
    stage: z.enum(['dense', 'sparse', 'sparse-int8']),
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
  const body = rows.map((row) => [
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
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...body.map(line)].join('\n') + '\n';
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
