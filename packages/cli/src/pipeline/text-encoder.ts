import { ConfigError } from '@pofa/core';
import { createWordPieceTokenizer, type BertTokenizer } from '@pofa/models';
import type { EncodeFunction } from '@pofa/tasks';

/** A tokenizer with every text of a run encoded up front, behind the synchronous `encode` the batchers take. */
export interface PreparedEncoder {
  tokenizer: BertTokenizer;
  encode: EncodeFunction;
  maxLength: number;
}

/** A text or a text pair, as the batchers see examples. */
export interface EncodableText {
  text: string;
  textPair?: string;
}

const keyOf = (text: string, textPair: string | undefined): string => (textPair === undefined ? text : `${text}\u0000${textPair}`);

/**
 * Builds the WordPiece tokenizer of `vocab` and encodes every text once (in parallel, on the
 * tokenizers library's threads), since `createWordPieceTokenizer`'s `encode` is asynchronous and
 * the batchers of `@pofa/tasks` call a synchronous one. Asking for a text that was not prepared
 * is a `ConfigError` (a bug in the caller).
 *
 * @example
 * ```ts
 * const { encode, tokenizer } = await prepareEncoder(vocab, [{ text: 'hello' }, ...task.train], 64);
 * createTextBatcher(task.train, { encode, padId: tokenizer.padId, maxLength: 64 });
 * ```
 */
export async function prepareEncoder(vocab: string[] | string, texts: Iterable<EncodableText>, maxLength: number): Promise<PreparedEncoder> {
  const tokenizer = await createWordPieceTokenizer({ vocab, maxLength });
  const unique = new Map<string, EncodableText>();
  for (const item of texts) unique.set(keyOf(item.text, item.textPair), item);
  const inputs = [...unique.values()].map((item) => (item.textPair === undefined ? item.text : ([item.text, item.textPair] as const)));
  const encoded = await tokenizer.encodeBatch(inputs, { maxLength });
  const encodings = new Map<string, { inputIds: number[]; tokenTypeIds: number[] }>();
  [...unique.keys()].forEach((key, index) => encodings.set(key, { inputIds: encoded[index].inputIds, tokenTypeIds: encoded[index].tokenTypeIds }));
  const encode: EncodeFunction = (text, textPair) => {
    const found = encodings.get(keyOf(text, textPair));
    if (found === undefined) {
      throw new ConfigError('A text was not prepared for encoding', {
        expected: 'every text of the run passed to prepareEncoder',
        received: JSON.stringify(text.slice(0, 40)),
      });
    }
    return found;
  };
  return { tokenizer, encode, maxLength };
}
