import { ConfigError } from '@pofa/core';
import type { BertTokenizer } from '@pofa/models';
import type { SquadExample, TokenizedText, TokenizerLike } from '@pofa/tasks';

/** One tokenized text, kept compact: ids, and `[start, end)` offsets flattened pairwise. */
interface PackedText {
  ids: Int32Array;
  offsets: Int32Array;
}

/** A {@link TokenizerLike} over prepared texts, with the tokenizer that prepared them. */
export interface PreparedSquadTokenizer extends TokenizerLike {
  /** The WordPiece tokenizer the texts were tokenized with (its settings go into bundles). */
  readonly source: BertTokenizer;
}

/** Texts per call of the tokenizer's `encodeBatch` (bounds the library's output held at once). */
const ENCODE_CHUNK = 1024;

/**
 * Tokenizes every question and context of `examples` once (in parallel, on the tokenizers
 * library's threads) and returns the synchronous {@link TokenizerLike} that
 * `createSquadFeatures` takes: wordpiece ids with UTF-16 character offsets, no special tokens.
 * Tokens are kept in typed arrays (a context is stored once however many questions share it).
 * Asking for a text that was not prepared is a `ConfigError` (a bug in the caller).
 *
 * @example
 * ```ts
 * const tokenizer = await prepareSquadTokenizer(await createWordPieceTokenizer({ vocab: 'vocab.txt' }), task.test);
 * const features = createSquadFeatures(task.test, tokenizer, { maxSeqLength: 384, docStride: 128 });
 * ```
 */
export async function prepareSquadTokenizer(
  tokenizer: BertTokenizer,
  examples: Iterable<Pick<SquadExample, 'question' | 'context'>>,
): Promise<PreparedSquadTokenizer> {
  const unique = new Set<string>();
  for (const example of examples) {
    unique.add(example.question);
    unique.add(example.context);
  }
  const texts = [...unique];
  const packed = new Map<string, PackedText>();
  for (let start = 0; start < texts.length; start += ENCODE_CHUNK) {
    const chunk = texts.slice(start, start + ENCODE_CHUNK);
    const encoded = await tokenizer.encodeBatch(chunk, { addSpecialTokens: false, returnOffsets: true, truncation: false });
    chunk.forEach((text, index) => {
      const { inputIds, offsets = [] } = encoded[index];
      packed.set(text, { ids: Int32Array.from(inputIds), offsets: Int32Array.from(offsets.flat()) });
    });
  }
  return {
    source: tokenizer,
    clsId: tokenizer.clsId,
    sepId: tokenizer.sepId,
    padId: tokenizer.padId,
    tokenize(text: string): TokenizedText {
      const found = packed.get(text);
      if (found === undefined) {
        throw new ConfigError('A SQuAD text was not prepared for tokenization', {
          expected: 'every question and context passed to prepareSquadTokenizer',
          received: JSON.stringify(text.slice(0, 40)),
        });
      }
      const offsets: Array<[number, number]> = [];
      for (let index = 0; index < found.offsets.length; index += 2) offsets.push([found.offsets[index], found.offsets[index + 1]]);
      return { ids: Array.from(found.ids), offsets };
    },
  };
}
