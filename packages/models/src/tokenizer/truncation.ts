import { TokenizerError } from './tokenizer-error';

/** A truncation strategy of `BertTokenizer.encode`. */
export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

/**
 * How many tokens of each sequence to keep so that both fit in `room` (the maximum length
 * minus the special tokens). The arithmetic is that of the `tokenizers` library
 * (`truncate_encodings`): with `longest_first`, when the shorter sequence fits in half the
 * room it stays whole and the longer takes the rest; otherwise the first keeps
 * `floor(room / 2)` and the second `ceil(room / 2)`. `only_first` / `only_second` cut one
 * sequence and fail when it cannot absorb the excess (or, for `only_second`, when there is
 * no second sequence).
 *
 * @example
 * ```ts
 * truncatedLengths(3, 4, 5, 'longest_first'); // [2, 3]
 * truncatedLengths(1, 4, 4, 'longest_first'); // [1, 3]
 * truncatedLengths(3, 4, 5, 'only_second'); // [3, 2]
 * ```
 */
export function truncatedLengths(
  firstLength: number,
  secondLength: number | undefined,
  room: number,
  strategy: TruncationStrategy,
): [number, number | undefined] {
  const total = firstLength + (secondLength ?? 0);
  if (total <= room) return [firstLength, secondLength];
  if (strategy === 'longest_first') {
    if (secondLength === undefined) return [room, undefined];
    const swap = firstLength > secondLength;
    let shorter = Math.min(firstLength, secondLength);
    let longer = shorter > room ? shorter : Math.max(shorter, room - shorter);
    if (shorter + longer > room) {
      shorter = Math.floor(room / 2);
      longer = shorter + (room % 2);
    }
    return swap ? [longer, shorter] : [shorter, longer];
  }
  if (strategy === 'only_second' && secondLength === undefined) {
    throw new TokenizerError('Cannot truncate with "only_second" without a second text', {
      expected: 'a textPair, or truncation "longest_first" / "only_first"',
      received: 'a single text',
    });
  }
  const excess = total - room;
  const target = strategy === 'only_first' ? firstLength : (secondLength as number);
  if (target <= excess) {
    throw new TokenizerError(`Cannot truncate with "${strategy}": the other text alone does not fit`, {
      expected: `the ${strategy === 'only_first' ? 'first' : 'second'} text to have more than ${excess} tokens`,
      received: `${target} tokens (room for ${room} tokens of text in all)`,
      hint: 'Use truncation "longest_first" or a larger maxLength',
    });
  }
  return strategy === 'only_first' ? [firstLength - excess, secondLength] : [firstLength, (secondLength as number) - excess];
}
