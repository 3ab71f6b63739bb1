import { countZeros, effectiveValues, type Module } from '@pofa/core';
import { selectTargets, type TargetOptions } from './targets';

/** One tensor's line in a {@link SparsityReport}. */
export interface SparsityReportRow {
  name: string;
  shape: number[];
  count: number;
  nonZeros: number;
  sparsity: number;
}

/** Per-tensor and total sparsity of the targeted tensors, with the paper's compression arithmetic. */
export interface SparsityReport {
  rows: SparsityReportRow[];
  total: { count: number; nonZeros: number; sparsity: number };
  /** Parameters of the whole model, targeted or not. */
  modelParameters: number;
  /**
   * Dense fp32 bytes of the targeted tensors over the bytes of their non-zeros at `bits`
   * bits each (the paper's nominal ratio: indices not counted).
   */
  nominalCompression: number;
  bits: number;
}

/**
 * Measures the effective weights (transforms applied) of the targeted tensors (by default the
 * encoder Linear weights), zeros counted by `countZeros` of `@pofa/core`. A selection of no
 * element has sparsity 0.
 *
 * @example
 * ```ts
 * const report = sparsityReport(model, { bits: 8 });
 * console.log(report.total.sparsity, report.nominalCompression); // 0.9, 40 at 90% + int8
 * ```
 */
export function sparsityReport(model: Module, options: TargetOptions & { bits?: number } = {}): SparsityReport {
  const bits = options.bits ?? 32;
  const rows = selectTargets(model, options).map(([name, parameter]) => {
    const values = effectiveValues(parameter);
    const nonZeros = values.length - countZeros(values);
    return { name, shape: parameter.shape, count: values.length, nonZeros, sparsity: sparsityOf(values.length, nonZeros) };
  });
  const count = rows.reduce((sum, row) => sum + row.count, 0);
  const nonZeros = rows.reduce((sum, row) => sum + row.nonZeros, 0);
  return {
    rows,
    total: { count, nonZeros, sparsity: sparsityOf(count, nonZeros) },
    modelParameters: model.parameterCount(),
    nominalCompression: nonZeros === 0 ? Infinity : (count * 32) / (nonZeros * bits),
    bits,
  };
}

/**
 * The fraction of exact zeros of a model's encoder Linear weights (or of the tensors `options`
 * selects), read from their effective values (masks and fake quantization applied): the total
 * sparsity of {@link sparsityReport}.
 *
 * @example
 * ```ts
 * encoderSparsity(sparseModel); // 0.9 after 90% layer-wise pruning
 * ```
 */
export function encoderSparsity(model: Module, options: TargetOptions = {}): number {
  return sparsityReport(model, options).total.sparsity;
}

function sparsityOf(count: number, nonZeros: number): number {
  return count === 0 ? 0 : 1 - nonZeros / count;
}

/** The report as a Markdown table (one row a tensor, then the total). */
export function formatSparsityReport(report: SparsityReport): string {
  const percent = (value: number) => `${(100 * value).toFixed(2)}%`;
  const lines = ['| tensor | shape | parameters | non-zeros | sparsity |', '| --- | --- | ---: | ---: | ---: |'];
  for (const row of report.rows) {
    lines.push(`| ${row.name} | [${row.shape.join(', ')}] | ${row.count} | ${row.nonZeros} | ${percent(row.sparsity)} |`);
  }
  lines.push(`| **total** | | ${report.total.count} | ${report.total.nonZeros} | ${percent(report.total.sparsity)} |`);
  lines.push('', `Nominal compression at ${report.bits} bits: ${report.nominalCompression.toFixed(1)}x (model parameters: ${report.modelParameters})`);
  return lines.join('\n');
}
