/** A table cell: text, a number, or nothing (shown as `—`). */
export type MarkdownCell = string | number | null | undefined;

/**
 * Formats rows as a Markdown table; `align` per column (`'l'` or `'r'`, default left). Cells
 * are strings (`|` escaped); `null`/`undefined` become `—`.
 *
 * @example
 * ```ts
 * markdownTable(['model', 'f1'], [['bert-base', '0.91']], ['l', 'r']);
 * // | model | f1 |\n| --- | ---: |\n| bert-base | 0.91 |
 * ```
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly MarkdownCell[])[], align: readonly ('l' | 'r')[] = []): string {
  const cell = (value: MarkdownCell): string => (value === null || value === undefined ? '—' : String(value).replaceAll('|', '\\|'));
  const line = (cells: readonly MarkdownCell[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${header.map((_, index) => (align[index] === 'r' ? '---:' : '---')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * A number with `digits` decimals, or `null` when it is not a finite number.
 *
 * @example
 * ```ts
 * fixed(0.91234, 3); // '0.912'
 * ```
 */
export function fixed(value: unknown, digits: number): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : null;
}
