/**
 * The `tokenizers` library reports offsets in Unicode code points; JavaScript strings index
 * UTF-16 code units. This returns a function that turns a code-point index of `text` into
 * the matching code-unit index, so that `text.slice(start, end)` is the token's source.
 * Text without astral characters (no surrogate pairs) maps each index to itself.
 *
 * @example
 * ```ts
 * const toUnits = codePointToCodeUnit('😀 hi');
 * toUnits(2); // 3: "h" sits after the two code units of the emoji and the space
 * ```
 */
export function codePointToCodeUnit(text: string): (index: number) => number {
  if (!/[\uD800-\uDBFF]/.test(text)) return (index) => index;
  const units: number[] = [];
  let unit = 0;
  for (const character of text) {
    units.push(unit);
    unit += character.length;
  }
  units.push(unit);
  return (index) => units[Math.min(Math.max(index, 0), units.length - 1)];
}
