import { z } from 'zod';
import { tf, type Random } from '@pofa/core';
import { parseOptions } from '../embedded/task-options';
import { epochRandom, padRows, paddedLength, planBatches, truncateKeepingLast } from './batch-plan';
import { EncodeFunctionSchema, encodeChecked, type Encoding } from './encode-function';
import type { TextBatch } from './text-batcher';

/** The label of a position the masked-LM loss ignores (PyTorch's `ignore_index`). */
export const IGNORE_LABEL = -100;

/** What {@link maskTokens} needs to know about the vocabulary. */
export interface MaskingOptions {
  maskId: number;
  vocabSize: number;
  /** Ids never selected and never drawn as random replacements ([CLS], [SEP], [PAD], [MASK], ...). */
  specialIds: ReadonlySet<number>;
  /** The chance that a non-special token is selected for prediction (BERT: 0.15). */
  probability: number;
}

/**
 * BERT's masking of one sequence: each non-special token is selected with `probability`; a selected
 * token becomes `[MASK]` with chance 0.8, a random non-special id with chance 0.1, and stays as it
 * is with chance 0.1. Labels hold the original id at selected positions and −100 elsewhere.
 *
 * @example
 * ```ts
 * const { inputIds, labels } = maskTokens([101, 7, 8, 102], { maskId: 103, vocabSize: 30522, specialIds: new Set([0, 101, 102, 103]), probability: 0.15 }, createRandom(0));
 * ```
 */
export function maskTokens(
  ids: readonly number[],
  options: MaskingOptions,
  random: Random,
): { inputIds: number[]; labels: number[] } {
  const inputIds = [...ids];
  const labels = ids.map(() => IGNORE_LABEL);
  ids.forEach((id, position) => {
    if (options.specialIds.has(id) || random.next() >= options.probability) return;
    labels[position] = id;
    const branch = random.next();
    if (branch < 0.8) inputIds[position] = options.maskId;
    else if (branch < 0.9) inputIds[position] = randomOrdinaryId(options, random);
  });
  return { inputIds, labels };
}

function randomOrdinaryId(options: MaskingOptions, random: Random): number {
  for (;;) {
    const candidate = random.int(options.vocabSize);
    if (!options.specialIds.has(candidate)) return candidate;
  }
}

/** Options of {@link createMaskedLmBatcher}. */
export const MaskedLmBatcherOptionsSchema = z
  .object({
    encode: EncodeFunctionSchema,
    padId: z.number().int().nonnegative(),
    maskId: z.number().int().nonnegative(),
    vocabSize: z.number().int().positive(),
    /** Special ids besides `padId` and `maskId` (which are always special): [CLS], [SEP], [UNK], ... */
    specialIds: z.array(z.number().int().nonnegative()).default([]),
    probability: z.number().gt(0).lt(1).default(0.15),
    batchSize: z.number().int().positive().default(32),
    maxLength: z.number().int().min(2).default(128),
    padToMultipleOf: z.number().int().positive().default(1),
    bucketMultiplier: z.number().int().nonnegative().default(0),
    shuffle: z.boolean().default(true),
    seed: z.number().int().default(0),
    keepLast: z.boolean().default(true),
  })
  .strict();

/** Options of {@link createMaskedLmBatcher}, as the caller writes them. */
export type MaskedLmBatcherOptions = z.input<typeof MaskedLmBatcherOptionsSchema>;

/** A source of masked-LM batches; `labels` is `[batch, sequence]` int32 with −100 where nothing is predicted. */
export interface MaskedLmBatcher {
  readonly numExamples: number;
  numBatches(): number;
  /** The batches of one epoch; masks are drawn afresh per epoch (dynamic masking), seeded by `(seed, epoch)`. */
  batches(epoch?: number): Generator<TextBatch>;
}

/**
 * Masked-LM batches over texts (a pre-training corpus): each text is encoded once, and each epoch
 * draws a new seeded masking (15% of non-special tokens, 80/10/10) with dynamic padding; padding
 * positions get label −100.
 *
 * @example
 * ```ts
 * const corpus = await loadMlmCorpus();
 * const batcher = createMaskedLmBatcher(corpus.train, { encode, padId: 0, maskId: 103, vocabSize: 30522, specialIds: [100, 101, 102] });
 * for (const batch of batcher.batches(0)) { step(batch); batch.dispose(); }
 * ```
 */
export function createMaskedLmBatcher(texts: readonly string[], options: MaskedLmBatcherOptions): MaskedLmBatcher {
  const settings = parseOptions(MaskedLmBatcherOptionsSchema, options, 'createMaskedLmBatcher');
  const masking: MaskingOptions = {
    maskId: settings.maskId,
    vocabSize: settings.vocabSize,
    specialIds: new Set([...settings.specialIds, settings.padId, settings.maskId]),
    probability: settings.probability,
  };
  const encodings: Encoding[] = texts.map((text, index) => {
    const encoding = encodeChecked(settings.encode, text, undefined, settings.maxLength, String(index));
    return {
      inputIds: truncateKeepingLast(encoding.inputIds, settings.maxLength),
      tokenTypeIds: truncateKeepingLast(encoding.tokenTypeIds, settings.maxLength),
    };
  });
  const lengths = encodings.map((encoding) => encoding.inputIds.length);
  return {
    numExamples: texts.length,
    numBatches: () => planBatches(lengths, settings, epochRandom(settings.seed, 0)).length,
    *batches(epoch = 0) {
      const random = epochRandom(settings.seed, epoch);
      for (const indices of planBatches(lengths, settings, random)) {
        const rows = indices.map((index) => encodings[index]);
        const masked = rows.map((row) => maskTokens(row.inputIds, masking, random));
        const length = paddedLength(rows.map((row) => row.inputIds.length), settings.padToMultipleOf);
        const shape: [number, number] = [rows.length, length];
        const inputIds = tf.tensor2d(padRows(masked.map((row) => row.inputIds), length, settings.padId), shape, 'int32');
        const attentionMask = tf.tensor2d(padRows(rows.map((row) => row.inputIds.map(() => 1)), length, 0), shape, 'int32');
        const tokenTypeIds = tf.tensor2d(padRows(rows.map((row) => row.tokenTypeIds), length, 0), shape, 'int32');
        const labels = tf.tensor2d(padRows(masked.map((row) => row.labels), length, IGNORE_LABEL), shape, 'int32');
        yield {
          inputIds,
          attentionMask,
          tokenTypeIds,
          labels,
          exampleIndices: indices,
          dispose: () => tf.dispose([inputIds, attentionMask, tokenTypeIds, labels]),
        };
      }
    },
  };
}
