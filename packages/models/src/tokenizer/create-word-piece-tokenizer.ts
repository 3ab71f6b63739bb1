import { type BertTokenizer, WordPieceBertTokenizer } from './bert-tokenizer';
import { indexVocabulary } from './special-tokens';
import { type WordPieceTokenizerOptions, parseTokenizerOptions, wordPieceTokenizerOptionsSchema } from './tokenizer-options';
import { loadVocab, readTokenizerJson } from './vocab-file';

/**
 * Builds a BERT WordPiece tokenizer (uncased by default) from a vocabulary: tokens in id
 * order, a `vocab.txt`, or a Hugging Face `tokenizer.json` (its BertNormalizer flags are the
 * defaults for `lowercase` / `stripAccents`). It follows BERT's rules through the Hugging
 * Face `tokenizers` library: clean text (control characters removed, whitespace
 * normalised), lower-case, strip accents (NFD, drop combining marks), split on whitespace,
 * punctuation and around CJK characters, then greedy longest-match-first WordPiece with `##`
 * continuations and `[UNK]` for words longer than 100 characters or without a match.
 * Throws a `TokenizerError` for an empty vocabulary, missing special tokens or an
 * unreadable file, and a `ConfigError` for invalid options.
 *
 * @example
 * ```ts
 * const tokenizer = await createWordPieceTokenizer({
 *   vocab: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'un', '##aff', '##able'],
 * });
 * await tokenizer.tokenize('Unaffable'); // ["un", "##aff", "##able"]
 * ```
 */
export async function createWordPieceTokenizer(options: WordPieceTokenizerOptions): Promise<BertTokenizer> {
  const resolved = parseTokenizerOptions(wordPieceTokenizerOptionsSchema, options, 'createWordPieceTokenizer options');
  let vocab: string[];
  let source: string;
  let lowercaseDefault = true;
  let stripAccentsDefault: boolean | undefined;
  if (Array.isArray(resolved.vocab)) {
    vocab = [...resolved.vocab];
    source = 'the vocab option';
  } else if (resolved.vocab.toLowerCase().endsWith('.json')) {
    const contents = await readTokenizerJson(resolved.vocab);
    vocab = contents.vocab;
    lowercaseDefault = contents.lowercase ?? true;
    stripAccentsDefault = contents.stripAccents;
    source = resolved.vocab;
  } else {
    vocab = await loadVocab(resolved.vocab);
    source = resolved.vocab;
  }
  const ids = indexVocabulary(vocab, source);
  const lowercase = resolved.lowercase ?? lowercaseDefault;
  const stripAccents = resolved.stripAccents ?? stripAccentsDefault ?? lowercase;
  const vocabulary: Record<string, number> = Object.fromEntries(ids);
  const idOf = (token: string): number => ids.get(token) as number;
  return new WordPieceBertTokenizer(
    vocab,
    ids,
    {
      vocabulary,
      lowercase,
      stripAccents,
      maxInputCharsPerWord: resolved.maxInputCharsPerWord,
      clsId: idOf('[CLS]'),
      sepId: idOf('[SEP]'),
    },
    resolved.maxLength,
  );
}
