/**
 * A Markdown table with columns padded to their widest cell, one line per row.
 *
 * @example
 * ```ts
 * formatTable(['tensor', 'bits'], [['classifier.weight', '32']]);
 * // | tensor            | bits |
 * // | ----------------- | ---- |
 * // | classifier.weight | 32   |
 * ```
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |\n`;
  return line(header) + `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |\n` + rows.map(line).join('');
}
