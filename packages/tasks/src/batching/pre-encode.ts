import { DataFormatError } from '../errors/data-format-error';
import type { EncodeFunction, Encoding } from './encode-function';

/** An asynchronous tokenizer call, such as `@pofa/models`' `tokenizer.encode`. */
export type AsyncEncodeFunction = (text: string, textPair: string | undefined, maxLength: number) => Promise<Encoding>;

/** What {@link preEncode} encodes: a text, or a text with its pair. */
export type TextToEncode = string | { text: string; textPair?: string };

function key(text: string, textPair: string | undefined, maxLength: number): string {
  return `${maxLength}\u0000${text}\u0000${textPair ?? '\u0001'}`;
}

/**
 * Encodes every text once with an asynchronous tokenizer and returns the synchronous
 * {@link EncodeFunction} the batchers and `evaluate()` take. Asking it for a text that was
 * not pre-encoded (or with another `maxLength`) is a DataFormatError, never a silent call.
 *
 * @example
 * ```ts
 * const tokenizer = await createWordPieceTokenizer({ vocab });
 * const encode = await preEncode(task.train, (text, pair, maxLength) => tokenizer.encode(text, pair, { maxLength }), 128);
 * const batcher = createTextBatcher(task.train, { encode, padId: tokenizer.padId, labels: task.labels, maxLength: 128 });
 * ```
 */
export async function preEncode(texts: Iterable<TextToEncode>, encode: AsyncEncodeFunction, maxLength: number): Promise<EncodeFunction> {
  const encodings = new Map<string, Encoding>();
  for (const item of texts) {
    const { text, textPair } = typeof item === 'string' ? { text: item, textPair: undefined } : item;
    const id = key(text, textPair, maxLength);
    if (encodings.has(id)) continue;
    const encoded = await encode(text, textPair, maxLength);
    encodings.set(id, { inputIds: encoded.inputIds, tokenTypeIds: encoded.tokenTypeIds });
  }
  return (text, textPair, length) => {
    const found = encodings.get(key(text, textPair, length));
    if (found === undefined) {
      throw new DataFormatError('This text was not pre-encoded', {
        expected: `one of the ${encodings.size} texts given to preEncode, with maxLength ${maxLength}`,
        received: `${JSON.stringify(text.slice(0, 40))}${textPair === undefined ? '' : ' with a pair'}, maxLength ${length}`,
        hint: 'Pass every split (and the same maxLength) to preEncode before batching',
      });
    }
    return found;
  };
}
