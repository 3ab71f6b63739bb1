export { createWordPieceTokenizer } from './create-word-piece-tokenizer';
export { WordPieceBertTokenizer, type BertTokenizer, type BertSpecialTokens, type TextPair } from './bert-tokenizer';
export type { EncodedInput } from './encoded-input';
export {
  wordPieceTokenizerOptionsSchema,
  encodeOptionsSchema,
  type WordPieceTokenizerOptions,
  type EncodeOptions,
} from './tokenizer-options';
export { trainWordPieceVocab, trainWordPieceVocabOptionsSchema, type TrainWordPieceVocabOptions } from './train-word-piece-vocab';
export { loadVocab, saveVocab, readTokenizerJson, type TokenizerJsonContents } from './vocab-file';
export { BERT_SPECIAL_TOKENS, DEFAULT_SPECIAL_TOKENS } from './special-tokens';
export { TokenizerError } from './tokenizer-error';
