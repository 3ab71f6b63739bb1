import type { BertTokenizer, EncoderModel } from '@pofa/models';
import { bundleTokenizerOf, type PreparedSquadTokenizer } from '@pofa/runtime';
import { readBundle, type BundleTask, type BundleTokenizer } from '@pofa/sparse-kernels';
import type { RunTask } from '@pofa/tasks';
import type { SpanWindowOptions } from './span-training';

/** What makes a bundle usable from text: how to tokenize it and what the head answers. */
export interface BundleDeployment {
  tokenizer?: BundleTokenizer;
  task?: BundleTask;
}

/**
 * The deployment record of a classification or regression run: the run's tokenizer, and the
 * task as `pair-classification` when its examples are text pairs, `regression` with the label
 * scale the head was trained on, else `classification`, with the task's label names.
 *
 * @example
 * ```ts
 * classificationDeployment(task, encoder.tokenizer); // { tokenizer: {...}, task: { kind: 'classification', name: 'spam', labels: ['ham', 'spam'] } }
 * ```
 */
export function classificationDeployment(task: RunTask, tokenizer: BertTokenizer): Required<BundleDeployment> {
  const name = task.name;
  const kind = task.specification.fields.length === 2 ? 'pair-classification' : 'classification';
  return {
    tokenizer: bundleTokenizerOf(tokenizer),
    task: task.regression ? { kind: 'regression', name, ...(task.labelScale === undefined ? {} : { labelScale: task.labelScale }) } : { kind, name, labels: [...task.labels] },
  };
}

/**
 * The deployment record of a SQuAD run: its tokenizer and the windows it was scored with
 * (answers of at most 30 tokens, as its evaluation).
 *
 * @example
 * ```ts
 * spanDeployment('squad', tokenizer, { maxLength: 384, docStride: 128 }); // task: { kind: 'span', docStride: 128, maxQueryLength: 64, maxAnswerLength: 30 }
 * ```
 */
export function spanDeployment(name: string, tokenizer: PreparedSquadTokenizer, windows: SpanWindowOptions): Required<BundleDeployment> {
  const { maxLength = 384, docStride = 128, maxQueryLength = 64 } = windows;
  return {
    tokenizer: { ...bundleTokenizerOf(tokenizer.source), maxLength },
    task: { kind: 'span', name, docStride, maxQueryLength, maxAnswerLength: 30 },
  };
}

/**
 * The deployment record of a model without a run behind it (a Hugging Face directory): BERT's
 * uncased tokenizer up to the position table, and the task its head and config imply (label
 * names from `id2label`; one output, or `problem_type: regression`, is regression).
 *
 * @example
 * ```ts
 * configDeployment(model, vocab); // { tokenizer: {...}, task: { kind: 'classification', labels: ['NEGATIVE', 'POSITIVE'] } }
 * ```
 */
export function configDeployment(model: EncoderModel, vocab: string[] | undefined): BundleDeployment {
  const config = model.config as Record<string, unknown>;
  const positions = Number(config.max_position_embeddings ?? 512);
  const tokenizer: BundleTokenizer | undefined =
    vocab === undefined
      ? undefined
      : { kind: 'wordpiece', lowercase: true, stripAccents: true, maxLength: Math.min(512, positions), maxInputCharsPerWord: 100, specialTokens: { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } };
  const withTokenizer = (task: BundleTask | undefined): BundleDeployment => ({ ...(tokenizer === undefined ? {} : { tokenizer }), ...(task === undefined ? {} : { task }) });
  if (model.task === 'question-answering') return withTokenizer({ kind: 'span', docStride: 128, maxQueryLength: 64, maxAnswerLength: 30 });
  if (model.task !== 'sequence-classification') return withTokenizer(undefined);
  const id2label = (config.id2label ?? {}) as Record<string, string>;
  const count = Object.keys(id2label).length || Number(config.num_labels ?? 2);
  if (config.problem_type === 'regression' || count === 1) return withTokenizer({ kind: 'regression' });
  const labels = Array.from({ length: count }, (_, index) => id2label[String(index)] ?? `LABEL_${index}`);
  return withTokenizer({ kind: 'classification', labels });
}

/**
 * The deployment record a run already wrote into its bundle of `stage`, or undefined when the
 * run has no such bundle or an older one (version 1) without it.
 *
 * @example
 * ```ts
 * await runDeployment('pofa-out/bundles/sparse-int8.pofa'); // { tokenizer: {...}, task: {...} }
 * ```
 */
export async function runDeployment(bundlePath: string | undefined): Promise<BundleDeployment | undefined> {
  if (bundlePath === undefined) return undefined;
  const bundle = await readBundle(bundlePath).catch(() => undefined);
  if (bundle?.task === undefined) return undefined;
  return { ...(bundle.tokenizer === undefined ? {} : { tokenizer: bundle.tokenizer }), task: bundle.task };
}
