import { z } from 'zod';

/** The sizes of a compress run: models, data and steps of each stage. */
export const scaleSchema = z
  .object({
    /** MLM corpus texts used for the vocabulary and pre-training. */
    corpusTexts: z.number().int().positive(),
    vocabSize: z.number().int().positive(),
    maxLength: z.number().int().min(8),
    batchSize: z.number().int().positive(),
    /** The dense teacher (the student has the same shape, initialised from it). */
    layers: z.number().int().positive(),
    hidden: z.number().int().positive(),
    heads: z.number().int().positive(),
    /** Task examples used per split (train, validation, test): the rest is left out. */
    taskExamples: z.object({ train: z.number().int().positive(), validation: z.number().int().positive(), test: z.number().int().positive() }),
    steps: z.object({
      teacherPretrain: z.number().int().positive(),
      teacherFinetune: z.number().int().positive(),
      sparsePretrain: z.number().int().positive(),
      transfer: z.number().int().positive(),
      quantize: z.number().int().positive(),
    }),
    learningRate: z.object({ pretrain: z.number().positive(), finetune: z.number().positive(), quantize: z.number().positive() }),
    /** QAT freezes its input observers after this fraction of its steps (Prune OFA: observers frozen before the end). */
    freezeObserversAt: z.number().gt(0).max(1),
    /** Optimizer steps between two Trainer checkpoints (what `--resume` can lose at most). */
    checkpointEvery: z.number().int().positive(),
  })
  .strict();

/** The sizes of a compress run. */
export type Scale = z.output<typeof scaleSchema>;

/**
 * The built-in scales: `default` (what `pofa compress` runs: finishes within 10 minutes on two
 * cores with the wasm backend and no cache) and `test` (a smoke run of a few seconds per stage).
 *
 * @example
 * ```ts
 * SCALES.test.steps.sparsePretrain; // 12
 * ```
 */
export const SCALES = {
  default: {
    corpusTexts: 3000,
    vocabSize: 2000,
    maxLength: 64,
    batchSize: 16,
    layers: 2,
    hidden: 64,
    heads: 2,
    taskExamples: { train: 4000, validation: 300, test: 565 },
    steps: { teacherPretrain: 250, teacherFinetune: 150, sparsePretrain: 250, transfer: 150, quantize: 100 },
    learningRate: { pretrain: 2e-3, finetune: 2e-3, quantize: 5e-4 },
    freezeObserversAt: 0.75,
    checkpointEvery: 25,
  },
  test: {
    corpusTexts: 120,
    vocabSize: 300,
    maxLength: 24,
    batchSize: 8,
    layers: 1,
    hidden: 16,
    heads: 2,
    taskExamples: { train: 96, validation: 32, test: 32 },
    steps: { teacherPretrain: 6, teacherFinetune: 6, sparsePretrain: 12, transfer: 6, quantize: 4 },
    learningRate: { pretrain: 2e-3, finetune: 1e-3, quantize: 5e-4 },
    freezeObserversAt: 0.75,
    checkpointEvery: 3,
  },
} as const satisfies Record<string, Scale>;

/** A name of {@link SCALES}. */
export type ScaleName = keyof typeof SCALES;

/** The scale names, for option validation. */
export const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];
