import type { EncodeFunction } from '../encode-function';

/**
 * A word-level stand-in tokenizer for tests: `[CLS]`=1, `[SEP]`=2, `[PAD]`=0, `[MASK]`=3, each word
 * → 10 + its length, so an example's length and ids are known by hand. Not exported by the package.
 */
export const testEncode: EncodeFunction = (text, textPair) => {
  const words = (value: string): number[] => value.split(' ').filter(Boolean).map((word) => 10 + word.length);
  const first = [1, ...words(text), 2];
  const second = textPair === undefined ? [] : [...words(textPair), 2];
  return { inputIds: [...first, ...second], tokenTypeIds: [...first.map(() => 0), ...second.map(() => 1)] };
};
