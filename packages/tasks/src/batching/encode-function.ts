import { z } from 'zod';
import { DataFormatError } from '../errors/data-format-error';

/** The ids a tokenizer gives for one example (special tokens included). */
export interface Encoding {
  inputIds: number[];
  tokenTypeIds: number[];
}

/**
 * A tokenizer, reduced to one function: text (and an optional second text) → ids. It receives the
 * batcher's `maxLength` so it can truncate the texts properly (keeping its special tokens);
 * whatever is still longer is cut by the batcher, keeping the last token.
 */
export type EncodeFunction = (text: string, textPair: string | undefined, maxLength: number) => Encoding;

/** A zod schema that accepts an {@link EncodeFunction}. */
export const EncodeFunctionSchema = z.custom<EncodeFunction>((value) => typeof value === 'function', {
  message: 'expected a function (text, textPair?, maxLength) => { inputIds, tokenTypeIds }',
});

/**
 * Calls `encode` and checks what it returns: two arrays of integers of the same, non-zero length.
 *
 * @example
 * ```ts
 * const encoding = encodeChecked(encode, 'hello', undefined, 128, 'spam-1/00001');
 * ```
 */
export function encodeChecked(
  encode: EncodeFunction,
  text: string,
  textPair: string | undefined,
  maxLength: number,
  exampleId: string,
): Encoding {
  const encoding = encode(text, textPair, maxLength);
  const ids = encoding?.inputIds;
  const types = encoding?.tokenTypeIds;
  if (!Array.isArray(ids) || !Array.isArray(types) || ids.length === 0 || ids.length !== types.length) {
    throw new DataFormatError(`encode() returned an invalid encoding for example ${exampleId}`, {
      expected: '{ inputIds: number[], tokenTypeIds: number[] } of the same non-zero length',
      received: Array.isArray(ids) && Array.isArray(types) ? `lengths ${ids.length} and ${types.length}` : typeof encoding,
      hint: 'Make the encode function return both id arrays, special tokens included',
    });
  }
  return { inputIds: ids, tokenTypeIds: types };
}
