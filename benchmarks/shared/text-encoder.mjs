// A tokenizer with every text of a run encoded once, behind the synchronous encode the batchers take.
import { ConfigError } from '@pofa/core';
import { createWordPieceTokenizer } from '@pofa/models';

const keyOf = (text, textPair) => (textPair === undefined ? text : `${text}\u0000${textPair}`);

/**
 * Builds the WordPiece tokenizer of `vocab` (a token list or a `vocab.txt` path) and encodes
 * every text up front with `encodeBatch` (the tokenizer is asynchronous; the batchers of
 * `@pofa/tasks` call a synchronous `encode`). Asking for a text not prepared is a `ConfigError`.
 *
 * @example
 * ```js
 * const encoder = await prepareEncoder(vocab, [{ text: 'hello' }, ...task.train], 64);
 * encoder.encode('hello'); // { inputIds, tokenTypeIds }
 * ```
 */
export async function prepareEncoder(vocab, texts, maxLength) {
  const tokenizer = await createWordPieceTokenizer({ vocab, maxLength });
  const unique = new Map();
  for (const item of texts) unique.set(keyOf(item.text, item.textPair), item);
  const inputs = [...unique.values()].map((item) => (item.textPair === undefined ? item.text : [item.text, item.textPair]));
  const encoded = await tokenizer.encodeBatch(inputs, { maxLength });
  const encodings = new Map();
  [...unique.keys()].forEach((key, index) => encodings.set(key, { inputIds: encoded[index].inputIds, tokenTypeIds: encoded[index].tokenTypeIds }));
  const encode = (text, textPair) => {
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
