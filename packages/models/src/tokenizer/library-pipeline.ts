import type { Tokenizer as LibraryTokenizer } from 'tokenizers';
import { loadTokenizersLibrary } from './native-library';
import { BERT_SPECIAL_TOKENS } from './special-tokens';

/** Everything that defines the BERT pipeline apart from truncation and padding. */
export interface PipelineSettings {
  /** Token → id. */
  vocabulary: Record<string, number>;
  lowercase: boolean;
  stripAccents: boolean;
  maxInputCharsPerWord: number;
  clsId: number;
  sepId: number;
}

/**
 * Builds a `tokenizers` Tokenizer with BERT's pipeline: BertNormalizer (clean text, CJK
 * spacing, lower-casing, accent stripping), BertPreTokenizer (whitespace and punctuation
 * splits), WordPiece (greedy longest match first, `##` continuations, `[UNK]`), BERT
 * post-processing (`[CLS] A [SEP] B [SEP]`, token types 0/1) and the WordPiece decoder.
 * Truncation and padding are left unset: they are mutable tokenizer state in the library,
 * read by its asynchronous encode, so they are applied per call on the encodings instead.
 *
 * @example
 * ```ts
 * const tokenizer = buildLibraryTokenizer(settings);
 * const encoding = await tokenizer.encode('Hello world');
 * ```
 */
export function buildLibraryTokenizer(settings: PipelineSettings): LibraryTokenizer {
  const library = loadTokenizersLibrary();
  const model = library.WordPiece.init(settings.vocabulary, {
    unkToken: BERT_SPECIAL_TOKENS.unk,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: settings.maxInputCharsPerWord,
  });
  const tokenizer = new library.Tokenizer(model);
  tokenizer.setNormalizer(
    library.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: settings.lowercase, stripAccents: settings.stripAccents }),
  );
  tokenizer.setPreTokenizer(library.bertPreTokenizer());
  tokenizer.setPostProcessor(library.bertProcessing([BERT_SPECIAL_TOKENS.sep, settings.sepId], [BERT_SPECIAL_TOKENS.cls, settings.clsId]));
  tokenizer.setDecoder(library.wordPieceDecoder('##', true));
  // Special tokens written in the text ("a [MASK] b") stay whole, as in BertTokenizerFast.
  tokenizer.addSpecialTokens(Object.values(BERT_SPECIAL_TOKENS));
  return tokenizer;
}
