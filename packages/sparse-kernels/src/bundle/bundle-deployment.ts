import { z } from 'zod';
import type { EncoderConfig } from './encoder-config';

const tokenName = z.string().min(1).max(64);
const window = z.number().int().positive().max(2 ** 20);

/**
 * How a bundle's text is tokenized: BERT WordPiece over the bundle's vocabulary with these
 * settings (the options of `@pofa/models`' `createWordPieceTokenizer`) and these special tokens.
 *
 * @example
 * ```ts
 * bundleTokenizerSchema.parse({ kind: 'wordpiece', lowercase: true, stripAccents: true, maxLength: 128,
 *   maxInputCharsPerWord: 100, specialTokens: { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } });
 * ```
 */
export const bundleTokenizerSchema = z
  .object({
    kind: z.literal('wordpiece'),
    lowercase: z.boolean(),
    stripAccents: z.boolean(),
    /** The longest encoding, special tokens included (what the model was trained on). */
    maxLength: z.number().int().min(3).max(2 ** 20),
    maxInputCharsPerWord: z.number().int().positive().max(2 ** 20),
    specialTokens: z.object({ pad: tokenName, unk: tokenName, cls: tokenName, sep: tokenName, mask: tokenName }).strict(),
  })
  .strict();
export type BundleTokenizer = z.infer<typeof bundleTokenizerSchema>;

const labels = z.array(z.string().min(1).max(256)).min(1).max(2 ** 20);
const taskName = z.string().min(1).max(256).optional();

/**
 * What a bundle's head answers: a label of one text (`classification`) or of a text pair
 * (`pair-classification`), a number (`regression`: the head's output times `labelScale.std`
 * plus `labelScale.mean` when the labels were standardised for training), or a span of a context
 * (`span`, extractive question answering, with the windowing it was evaluated with).
 *
 * @example
 * ```ts
 * bundleTaskSchema.parse({ kind: 'classification', name: 'spam', labels: ['ham', 'spam'] });
 * ```
 */
export const bundleTaskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('classification'), name: taskName, labels }).strict(),
  z.object({ kind: z.literal('pair-classification'), name: taskName, labels }).strict(),
  z
    .object({
      kind: z.literal('regression'),
      name: taskName,
      labelScale: z.object({ mean: z.number().finite(), std: z.number().finite().positive() }).strict().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('span'),
      name: taskName,
      /** Context tokens shared by consecutive windows of a long context. */
      docStride: z.number().int().min(0).max(2 ** 20),
      /** Question tokens kept. */
      maxQueryLength: window,
      /** Longest answer, in tokens. */
      maxAnswerLength: window,
    })
    .strict(),
]);
export type BundleTask = z.infer<typeof bundleTaskSchema>;

/** The task kinds a bundle records. */
export type BundleTaskKind = BundleTask['kind'];

/**
 * Why `task` does not fit the head of `config` (its `task` and `numLabels`), or undefined when
 * it does: classification needs a sequence-classification head with one output per label,
 * regression one output, span question answering the span head.
 *
 * @example
 * ```ts
 * taskMismatch({ kind: 'regression' }, config); // 'regression needs 1 head output, the head has 2'
 * ```
 */
export function taskMismatch(task: BundleTask, config: EncoderConfig): string | undefined {
  const head = task.kind === 'span' ? 'question-answering' : 'sequence-classification';
  if (config.task !== head) return `${task.kind} needs a ${head} head, the bundle has a ${config.task} head`;
  if (task.kind === 'regression' && config.numLabels !== 1) return `regression needs 1 head output, the head has ${config.numLabels}`;
  if ((task.kind === 'classification' || task.kind === 'pair-classification') && task.labels.length !== config.numLabels) {
    return `${task.labels.length} label names for a head of ${config.numLabels} outputs`;
  }
  return undefined;
}

/**
 * Why a bundle's tokenizer and task do not fit its config and vocabulary, or undefined when they
 * do (the writer and the reader both check it): a tokenizer needs the vocabulary with its
 * special tokens in it, and the task must fit the head ({@link taskMismatch}).
 *
 * @example
 * ```ts
 * deploymentMismatch({ tokenizer, task: { kind: 'classification', labels: ['ham', 'spam'] } }, config, vocab); // undefined
 * ```
 */
export function deploymentMismatch(deployment: { tokenizer?: BundleTokenizer; task?: BundleTask }, config: EncoderConfig, vocab: readonly string[] | undefined): string | undefined {
  const { tokenizer, task } = deployment;
  if (tokenizer !== undefined) {
    if (vocab === undefined) return 'tokenizer settings without a vocabulary';
    const tokens = new Set(vocab);
    const missing = Object.values(tokenizer.specialTokens).filter((token) => !tokens.has(token));
    if (missing.length > 0) return `the special tokens ${missing.join(' ')} are not in the vocabulary`;
  }
  return task === undefined ? undefined : taskMismatch(task, config);
}
