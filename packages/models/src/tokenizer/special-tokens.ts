import { TokenizerError } from './tokenizer-error';

/**
 * The five special tokens of BERT's WordPiece vocabulary.
 *
 * @example
 * ```ts
 * BERT_SPECIAL_TOKENS.mask; // "[MASK]"
 * ```
 */
export const BERT_SPECIAL_TOKENS = {
  pad: '[PAD]',
  unk: '[UNK]',
  cls: '[CLS]',
  sep: '[SEP]',
  mask: '[MASK]',
} as const;

/**
 * The special tokens in the order a trained vocabulary starts with them (ids 0..4).
 *
 * @example
 * ```ts
 * trainWordPieceVocab(texts, { vocabSize: 1000, specialTokens: [...DEFAULT_SPECIAL_TOKENS] });
 * ```
 */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = [
  BERT_SPECIAL_TOKENS.pad,
  BERT_SPECIAL_TOKENS.unk,
  BERT_SPECIAL_TOKENS.cls,
  BERT_SPECIAL_TOKENS.sep,
  BERT_SPECIAL_TOKENS.mask,
];

/**
 * Checks a vocabulary (tokens in id order) and returns the token → id map. Throws a
 * {@link TokenizerError} for an empty vocabulary, a duplicated or empty token, or missing
 * special tokens (all of them are named).
 *
 * @example
 * ```ts
 * const ids = indexVocabulary(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello'], 'my vocab');
 * ids.get('hello'); // 5
 * ```
 */
export function indexVocabulary(vocab: readonly string[], source: string): Map<string, number> {
  if (vocab.length === 0) {
    throw new TokenizerError(`The vocabulary from ${source} is empty`, {
      expected: 'one token per id, including [PAD] [UNK] [CLS] [SEP] [MASK]',
      received: 'no tokens',
      hint: 'Pass a non-empty vocab.txt or train one with trainWordPieceVocab()',
    });
  }
  const ids = new Map<string, number>();
  vocab.forEach((token, id) => {
    if (typeof token !== 'string' || token.length === 0) {
      throw new TokenizerError(`The vocabulary from ${source} has an empty token at id ${id}`, {
        expected: 'a non-empty string for every id',
        received: JSON.stringify(token),
        hint: 'Remove blank lines from vocab.txt',
      });
    }
    const previous = ids.get(token);
    if (previous !== undefined) {
      throw new TokenizerError(`The vocabulary from ${source} lists ${JSON.stringify(token)} twice`, {
        expected: 'each token once',
        received: `ids ${previous} and ${id}`,
        hint: 'Remove the duplicated line; ids are line numbers, so every later id shifts',
      });
    }
    ids.set(token, id);
  });
  const missing = Object.values(BERT_SPECIAL_TOKENS).filter((token) => !ids.has(token));
  if (missing.length > 0) {
    throw new TokenizerError(`The vocabulary from ${source} lacks the special token${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`, {
      expected: 'all of [PAD] [UNK] [CLS] [SEP] [MASK]',
      received: `${vocab.length} tokens without ${missing.join(', ')}`,
      hint: 'Add the missing tokens to the vocabulary (a trained vocabulary starts with them)',
    });
  }
  return ids;
}
