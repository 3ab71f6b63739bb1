// A Markdown table writer.

/**
 * Formats rows as a Markdown table; `align` per column (`'l'` or `'r'`, default left). Cells
 * are strings (`|` escaped); `null`/`undefined` become `—`.
 *
 * @example
 * ```js
 * markdownTable(['model', 'f1'], [['bert-base', '0.91']], ['l', 'r']);
 * // | model | f1 |\n| --- | ---: |\n| bert-base | 0.91 |
 * ```
 */
export function markdownTable(header, rows, align = []) {
  const cell = (value) => (value === null || value === undefined ? '—' : String(value).replaceAll('|', '\\|'));
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${header.map((_, index) => (align[index] === 'r' ? '---:' : '---')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * A number with `digits` decimals, or `null` when it is not a finite number.
 *
 * @example
 * ```js
 * fixed(0.91234, 3); // '0.912'
 * ```
 */
export function fixed(value, digits) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : null;
}
