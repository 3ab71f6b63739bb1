import type { Encoding } from 'tokenizers';
import { codePointToCodeUnit } from './offsets';

/**
 * One encoded input, ready for a BERT model. All arrays have one entry per token.
 *
 * @example
 * ```ts
 * const { inputIds, tokenTypeIds, attentionMask } = await tokenizer.encode('a question', 'a context');
 * ```
 */
export interface EncodedInput {
  /** Vocabulary ids, `[CLS] A [SEP] (B [SEP])` then `[PAD]`s. */
  inputIds: number[];
  /** 0 for `[CLS]`, A and its `[SEP]` (and padding), 1 for B and its `[SEP]`. */
  tokenTypeIds: number[];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
  /** The wordpieces (`##` marks a continuation). */
  tokens: string[];
  /** 1 for `[CLS]`, `[SEP]`, `[PAD]` and special tokens written in the text. */
  specialTokensMask: number[];
  /**
   * With `returnOffsets`: `[start, end)` UTF-16 indices into the text the token came from
   * (the first text for type 0, `textPair` for type 1), so `text.slice(start, end)` is its
   * source before lower-casing and accent stripping; `[0, 0]` for `[CLS]`, `[SEP]`, `[PAD]`.
   */
  offsets?: Array<[number, number]>;
  /**
   * The windows cut off by truncation, each encoded (and padded) the same way: consecutive
   * slices of the truncated text; when both texts of a pair are cut, every combination of
   * their windows, first-text-major (as the `tokenizers` library orders them).
   */
  overflowing?: EncodedInput[];
}

/**
 * Copies a library `Encoding` into plain arrays, turning code-point offsets into UTF-16
 * indices of `text` (sequence 0) or `textPair` (sequence 1). The library's own
 * `getOverflowing()` is not read: see `BertTokenizer.encode`.
 *
 * @example
 * ```ts
 * const input = toEncodedInput(await libraryTokenizer.encode(text), text, undefined, true);
 * ```
 */
export function toEncodedInput(encoding: Encoding, text: string, textPair: string | undefined, returnOffsets: boolean): EncodedInput {
  const result: EncodedInput = {
    inputIds: encoding.getIds(),
    tokenTypeIds: encoding.getTypeIds(),
    attentionMask: encoding.getAttentionMask(),
    tokens: encoding.getTokens(),
    specialTokensMask: encoding.getSpecialTokensMask(),
  };
  if (returnOffsets) {
    const first = codePointToCodeUnit(text);
    const second = textPair === undefined ? first : codePointToCodeUnit(textPair);
    const sequenceIds = encoding.getSequenceIds();
    result.offsets = encoding.getOffsets().map(([start, end], index) => {
      const sequence = sequenceIds[index];
      if (sequence === null || sequence === undefined) return [0, 0];
      const convert = sequence === 1 ? second : first;
      return [convert(start), convert(end)];
    });
  }
  return result;
}
