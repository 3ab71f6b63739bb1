import { BERT_SPECIAL_TOKENS, createWordPieceTokenizer, type BertTokenizer } from '@pofa/models';
import type { Bundle, BundleTokenizer } from '@pofa/sparse-kernels';
import { PipelineError } from './pipeline-error';

/**
 * The tokenizer record a `.pofa` bundle stores (`exportBundle`'s `tokenizer` option) for a
 * WordPiece tokenizer of `@pofa/models`; the vocabulary goes separately (`tokenizerVocab`).
 *
 * @example
 * ```ts
 * const tokenizer = await createWordPieceTokenizer({ vocab: 'vocab.txt', maxLength: 128 });
 * await exportBundle(model, 'model.pofa', { tokenizerVocab: tokenizer.getVocab(), tokenizer: bundleTokenizerOf(tokenizer) });
 * ```
 */
export function bundleTokenizerOf(tokenizer: BertTokenizer): BundleTokenizer {
  return {
    kind: 'wordpiece',
    lowercase: tokenizer.lowercase,
    stripAccents: tokenizer.stripAccents,
    maxLength: tokenizer.maxLength,
    maxInputCharsPerWord: tokenizer.maxInputCharsPerWord,
    specialTokens: { ...tokenizer.specialTokens },
  };
}

/**
 * The WordPiece tokenizer of a bundle: its vocabulary with its stored settings, capped at the
 * model's position table. A version 1 bundle has no settings: BERT's defaults (uncased, 512 or
 * the position table) apply. Throws a {@link PipelineError} for a bundle without a vocabulary or
 * with special tokens other than BERT's.
 *
 * @example
 * ```ts
 * const tokenizer = await createBundleTokenizer(await readBundle('model.pofa'));
 * ```
 */
export async function createBundleTokenizer(bundle: Bundle): Promise<BertTokenizer> {
  if (bundle.vocab === undefined) {
    throw new PipelineError('The bundle has no tokenizer vocabulary', {
      expected: 'a .pofa bundle written with its vocabulary',
      received: 'a bundle without one',
      hint: 'Export it again with pofa export --format pofa (or exportBundle with tokenizerVocab)',
    });
  }
  const settings = bundle.tokenizer;
  const special = settings?.specialTokens;
  if (special !== undefined && Object.entries(BERT_SPECIAL_TOKENS).some(([role, token]) => special[role as keyof typeof special] !== token)) {
    throw new PipelineError('The bundle uses special tokens the WordPiece tokenizer does not know', {
      expected: JSON.stringify(BERT_SPECIAL_TOKENS),
      received: JSON.stringify(special),
    });
  }
  const maxLength = Math.min(settings?.maxLength ?? 512, bundle.config.maxPositions);
  return createWordPieceTokenizer({
    vocab: bundle.vocab,
    maxLength,
    ...(settings === undefined ? {} : { lowercase: settings.lowercase, stripAccents: settings.stripAccents, maxInputCharsPerWord: settings.maxInputCharsPerWord }),
  });
}
