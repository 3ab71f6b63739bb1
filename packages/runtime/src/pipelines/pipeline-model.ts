import { ConfigError } from '@pofa/core';
import type { BertTokenizer } from '@pofa/models';
import { createEncoderRuntime, parseBundle, readBundle, type Bundle, type BundleTask, type EncoderRuntime, type Kernels } from '@pofa/sparse-kernels';
import { z } from 'zod';
import { createBundleTokenizer } from '../bundle-tokenizer';
import { PipelineError } from '../pipeline-error';

/**
 * Options of `pipeline()`.
 *
 * @example
 * ```ts
 * pipelineOptionsSchema.parse({}); // { batchSize: 32 }
 * ```
 */
export const pipelineOptionsSchema = z
  .object({
    /** Sequences (QA: windows) per forward pass. */
    batchSize: z.number().int().positive().max(4096).default(32),
    /** Longest encoding; default the bundle tokenizer's (capped at the position table). Longer inputs are truncated. */
    maxLength: z.number().int().min(8).optional(),
    /** The kernels to run on (default: `loadKernels()` of `@pofa/sparse-kernels`). */
    kernels: z.custom<Kernels>((value) => typeof value === 'object' && value !== null && typeof (value as Kernels).linear === 'function').optional(),
  })
  .strict();

/** Options of `pipeline()`, as the caller writes them. */
export type PipelineOptions = z.input<typeof pipelineOptionsSchema>;

/** A bundle ready to answer: its runtime, tokenizer and task. */
export interface PipelineModel {
  bundle: Bundle;
  runtime: EncoderRuntime;
  tokenizer: BertTokenizer;
  /** The bundle's task; for a version 1 bundle, the one its head implies. */
  task: BundleTask;
  /** Whether `task` was implied by the head (version 1 bundles), not stored. */
  impliedTask: boolean;
  batchSize: number;
  maxLength: number;
}

/**
 * A bundle's task: the one it stores, or for a version 1 bundle the one its head implies
 * (classification with `LABEL_i` names, regression for one output, span QA with SQuAD's windowing).
 *
 * @example
 * ```ts
 * bundleTaskOf(await readBundle('model.pofa')); // { kind: 'classification', labels: ['ham', 'spam'] }
 * ```
 */
export function bundleTaskOf(bundle: Bundle): BundleTask {
  return bundle.task ?? impliedTask(bundle);
}

/** What a version 1 bundle's head implies: generic label names, SQuAD's windowing. */
function impliedTask(bundle: Bundle): BundleTask {
  const { task, numLabels } = bundle.config;
  if (task === 'question-answering') return { kind: 'span', docStride: 128, maxQueryLength: 64, maxAnswerLength: 30 };
  if (task === 'sequence-classification') {
    return numLabels === 1 ? { kind: 'regression' } : { kind: 'classification', labels: Array.from({ length: numLabels }, (_, index) => `LABEL_${index}`) };
  }
  throw new PipelineError('The bundle has no task head', {
    expected: 'a sequence-classification or question-answering head',
    received: `a ${task} head`,
    hint: 'Export a fine-tuned model (pofa compress or pofa transfer), not a pre-trained encoder',
  });
}

async function bundleOf(source: string | Uint8Array | Bundle): Promise<Bundle> {
  if (typeof source === 'string') return readBundle(source);
  if (source instanceof Uint8Array) return parseBundle(source);
  if (typeof source === 'object' && source !== null && 'config' in source && 'tensors' in source) return source;
  throw new PipelineError('Cannot load a pipeline model', { expected: 'a .pofa path, its bytes, or a parsed Bundle', received: typeof source });
}

/**
 * Loads a `.pofa` bundle for the pipelines: reads and validates it, builds the encoder runtime
 * and the WordPiece tokenizer it stores, and resolves its task.
 *
 * @example
 * ```ts
 * const model = await loadPipelineModel('model.pofa', { batchSize: 16 });
 * model.task; // { kind: 'classification', labels: ['ham', 'spam'] }
 * ```
 */
export async function loadPipelineModel(source: string | Uint8Array | Bundle, options: PipelineOptions = {}): Promise<PipelineModel> {
  const parsed = pipelineOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid pipeline options', {
      expected: '{ batchSize?: positive integer, maxLength?: integer >= 8, kernels?: Kernels }',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
    });
  }
  const bundle = await bundleOf(source);
  const task = bundleTaskOf(bundle);
  const tokenizer = await createBundleTokenizer(bundle);
  const runtime = createEncoderRuntime(bundle, parsed.data.kernels === undefined ? {} : { kernels: parsed.data.kernels });
  const maxLength = Math.min(parsed.data.maxLength ?? tokenizer.maxLength, tokenizer.maxLength);
  return { bundle, runtime, tokenizer, task, impliedTask: bundle.task === undefined, batchSize: parsed.data.batchSize, maxLength };
}

/** One encoded sequence, as the batches take it. */
export interface EncodedRow {
  inputIds: readonly number[];
  tokenTypeIds: readonly number[];
}

/** Logits of a batch: `rows × seq × width` (`seq` 1 for sequence heads). */
export interface BatchLogits {
  logits: Float32Array;
  seq: number;
}

/**
 * Runs rows through the runtime `model.batchSize` at a time, each batch padded to its longest
 * row (padding masked out), and returns each batch's logits in order.
 *
 * @example
 * ```ts
 * for (const { logits } of forwardInBatches(model, rows)) { ... }
 * ```
 */
export function* forwardInBatches(model: PipelineModel, rows: readonly EncodedRow[]): Generator<BatchLogits & { first: number; count: number }> {
  for (let first = 0; first < rows.length; first += model.batchSize) {
    const batch = rows.slice(first, first + model.batchSize);
    const seq = Math.max(...batch.map((row) => row.inputIds.length));
    const inputIds = new Int32Array(batch.length * seq).fill(model.tokenizer.padId);
    const tokenTypeIds = new Int32Array(batch.length * seq);
    const attentionMask = new Int32Array(batch.length * seq);
    batch.forEach((row, index) => {
      inputIds.set(row.inputIds, index * seq);
      tokenTypeIds.set(row.tokenTypeIds, index * seq);
      attentionMask.fill(1, index * seq, index * seq + row.inputIds.length);
    });
    const shape = [batch.length, seq] as const;
    const { logits } = model.runtime.run({ inputIds: { data: inputIds, shape }, attentionMask: { data: attentionMask, shape }, tokenTypeIds: { data: tokenTypeIds, shape } });
    if (logits === undefined) throw new PipelineError('The bundle returned no logits', { expected: 'a model with a task head', received: `a ${model.bundle.config.task} head` });
    yield { logits, seq, first, count: batch.length };
  }
}
