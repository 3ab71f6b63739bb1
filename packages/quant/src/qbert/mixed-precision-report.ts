import type { MixedPrecisionReport } from './mixed-precision';

/**
 * The report as Markdown: one row per layer (trace ± standard error, Tr/n, bits, bytes, Ω),
 * then the totals against the budget and float32.
 *
 * @example
 * ```ts
 * await writeFile('mixed-precision.md', formatMixedPrecisionReport(report));
 * ```
 */
export function formatMixedPrecisionReport(report: MixedPrecisionReport): string {
  const number = (value: number) => (Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : value.toFixed(4));
  const lines = [
    `Hessian-aware mixed precision (HAWQ-V2 Ω = Tr(H)/n · ‖Q(W) − W‖²; Hutchinson, ${report.samples} samples, ε = ${report.epsilon})`,
    '',
    '| layer | weights | trace | ± | trace / n | group | bits | bytes | Ω |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const layer of report.layers) {
    lines.push(
      `| ${layer.name} | ${layer.parameterCount} | ${number(layer.trace)} | ${number(layer.traceStandardError)} | ${number(layer.averageTrace)} | ${layer.groupSize} | ${layer.bits} | ${layer.bytes} | ${number(layer.omega)} |`,
    );
  }
  lines.push(
    '',
    `Total: ${report.totalBytes} bytes of ${report.budgetBytes} budgeted (${report.averageBits.toFixed(2)} bits per weight on average; ` +
      `float32 ${report.float32Bytes} bytes, ${(report.float32Bytes / report.totalBytes).toFixed(2)}x smaller); ΣΩ = ${number(report.totalOmega)}; ` +
      `bit choices ${report.bitChoices.join(', ')}.`,
  );
  return lines.join('\n');
}
