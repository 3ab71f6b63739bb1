import { z } from 'zod';
import { tf, type Tensor } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import { parseOptions } from '../embedded/task-options';
import { epochRandom, padRows, paddedLength, planBatches, truncateKeepingLast } from './batch-plan';
import { EncodeFunctionSchema, encodeChecked, type Encoding } from './encode-function';

/** What the text batcher needs of an example (a `TextExample` of any task fits). */
export interface BatchableExample {
  id?: string;
  text: string;
  textPair?: string;
  /** A class name or index, a regression value, or null for unlabelled (test) examples. */
  label?: string | number | null;
}

/** Options of {@link createTextBatcher}. */
export const TextBatcherOptionsSchema = z
  .object({
    encode: EncodeFunctionSchema,
    padId: z.number().int().nonnegative(),
    batchSize: z.number().int().positive().default(32),
    maxLength: z.number().int().min(2).default(128),
    /** Pad each batch to a multiple of this (8 suits SIMD kernels); 1 pads to the longest only. */
    padToMultipleOf: z.number().int().positive().default(1),
    /** Length bucketing: sort within chunks of `bucketMultiplier * batchSize`; 0 turns it off. */
    bucketMultiplier: z.number().int().nonnegative().default(0),
    shuffle: z.boolean().default(false),
    seed: z.number().int().default(0),
    keepLast: z.boolean().default(true),
    /** Class names: string labels become their index. Given → classification labels (int32). */
    labels: z.array(z.string()).optional(),
    /** Regression: labels become float32, scaled by `(label - mean) / std` when `labelScale` is given. */
    regression: z.boolean().default(false),
    labelScale: z.object({ mean: z.number(), std: z.number().positive() }).optional(),
  })
  .strict();

/** Options of {@link createTextBatcher}, as the caller writes them. */
export type TextBatcherOptions = z.input<typeof TextBatcherOptionsSchema>;

/** One batch: `[batch, sequence]` int32 tensors and `[batch]` labels. The caller disposes it. */
export interface TextBatch {
  inputIds: Tensor;
  attentionMask: Tensor;
  tokenTypeIds: Tensor;
  /** int32 class ids (classification) or float32 values (regression); absent without labels. */
  labels?: Tensor;
  /** The examples of the batch, by index into the batcher's examples. */
  exampleIndices: number[];
  dispose(): void;
}

/** A reusable source of batches over fixed examples. */
export interface TextBatcher {
  readonly numExamples: number;
  /** Batches per epoch. */
  numBatches(): number;
  /** The batches of one epoch, made one at a time as the iterator advances (dispose each). */
  batches(epoch?: number): Generator<TextBatch>;
  /** The (truncated) encodings, by example index. */
  readonly encodings: readonly Encoding[];
}

/**
 * A tokenizer-agnostic batcher: encodes every example once (truncated to `maxLength`), then, per
 * epoch, cuts a deterministic, seeded order into batches with dynamic padding (to the longest in
 * the batch, optionally to a multiple of 8) and optional length bucketing. Tensors are made
 * lazily, one batch per iteration step, so an epoch never holds more than the batch in use.
 *
 * @example
 * ```ts
 * const batcher = createTextBatcher(task.train, { encode, padId: 0, batchSize: 32, labels: task.labels, shuffle: true, bucketMultiplier: 50 });
 * for (const batch of batcher.batches(epoch)) { trainStep(batch); batch.dispose(); }
 * ```
 */
export function createTextBatcher(examples: readonly BatchableExample[], options: TextBatcherOptions): TextBatcher {
  const settings = parseOptions(TextBatcherOptionsSchema, options, 'createTextBatcher');
  const encodings = examples.map((example, index) => {
    const id = example.id ?? String(index);
    const encoding = encodeChecked(settings.encode, example.text, example.textPair, settings.maxLength, id);
    return {
      inputIds: truncateKeepingLast(encoding.inputIds, settings.maxLength),
      tokenTypeIds: truncateKeepingLast(encoding.tokenTypeIds, settings.maxLength),
    };
  });
  const labelValues = labelsOf(examples, settings);
  const lengths = encodings.map((encoding) => encoding.inputIds.length);
  const plan = (epoch: number): number[][] => planBatches(lengths, settings, epochRandom(settings.seed, epoch));
  return {
    numExamples: examples.length,
    encodings,
    numBatches: () => plan(0).length,
    *batches(epoch = 0) {
      for (const indices of plan(epoch)) {
        const rows = indices.map((index) => encodings[index]);
        const length = paddedLength(rows.map((row) => row.inputIds.length), settings.padToMultipleOf);
        const shape: [number, number] = [rows.length, length];
        const masks = rows.map((row) => row.inputIds.map(() => 1));
        const inputIds = tf.tensor2d(padRows(rows.map((row) => row.inputIds), length, settings.padId), shape, 'int32');
        const attentionMask = tf.tensor2d(padRows(masks, length, 0), shape, 'int32');
        const tokenTypeIds = tf.tensor2d(padRows(rows.map((row) => row.tokenTypeIds), length, 0), shape, 'int32');
        const labels =
          labelValues === undefined
            ? undefined
            : tf.tensor1d(indices.map((index) => labelValues.values[index]), labelValues.dtype);
        yield {
          inputIds,
          attentionMask,
          tokenTypeIds,
          labels,
          exampleIndices: indices,
          dispose: () => tf.dispose([inputIds, attentionMask, tokenTypeIds, ...(labels === undefined ? [] : [labels])]),
        };
      }
    },
  };
}

type BatcherSettings = z.output<typeof TextBatcherOptionsSchema>;

/**
 * The numeric label of each example: class index (classification) or scaled value (regression).
 *
 * @example
 * ```ts
 * labelsOf([{ text: 'a', label: 'spam' }], { labels: ['ham', 'spam'], regression: false }); // { values: [1], dtype: 'int32' }
 * ```
 */
export function labelsOf(
  examples: readonly BatchableExample[],
  settings: Pick<BatcherSettings, 'labels' | 'regression' | 'labelScale'>,
): { values: number[]; dtype: 'int32' | 'float32' } | undefined {
  if (settings.regression) {
    const { mean, std } = settings.labelScale ?? { mean: 0, std: 1 };
    return { values: examples.map((example, index) => (numericLabel(example, index) - mean) / std), dtype: 'float32' };
  }
  const names = settings.labels;
  if (names === undefined) return undefined;
  const values = examples.map((example, index) => {
    const label = example.label;
    const classIndex = typeof label === 'string' ? names.indexOf(label) : (label ?? undefined);
    if (classIndex === undefined || !Number.isInteger(classIndex) || classIndex < 0 || classIndex >= names.length) {
      throw new DataFormatError(`Example ${example.id ?? index} has an unknown label`, {
        expected: `one of ${JSON.stringify(names)} or an index below ${names.length}`,
        received: JSON.stringify(label),
      });
    }
    return classIndex;
  });
  return { values, dtype: 'int32' };
}

function numericLabel(example: BatchableExample, index: number): number {
  if (typeof example.label !== 'number' || !Number.isFinite(example.label)) {
    throw new DataFormatError(`Example ${example.id ?? index} has no numeric label for regression`, {
      expected: 'a finite number',
      received: JSON.stringify(example.label),
    });
  }
  return example.label;
}
