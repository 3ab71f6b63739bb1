import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import type { Modifier } from '../lifecycle/modifier';
import type { Module } from '../nn/module';
import type { Random } from '../random';
import type { tf } from '../tensor/tf';
import type { AdamW } from './adamw';
import type { LearningRateSchedule } from './lr-schedule';
import type { ProgressStream } from './progress';

/**
 * A data set the Trainer draws batches from: it shuffles `[0, size)` every epoch and asks
 * for `batch(indices)`. Tensors in the returned batch are disposed after the step.
 *
 * @example
 * ```ts
 * const data: TrainingData<{ x: tf.Tensor2D }> = { size: rows.length, batch: (indices) => ({ x: tf.tensor2d(indices.map((i) => rows[i])) }) };
 * ```
 */
export interface TrainingData<B> {
  readonly size: number;
  batch(indices: number[]): B;
}

/** What a loss function gets besides the model and the batch. */
export interface TrainingLossContext {
  readonly training: true;
  /** The run's seeded generator: seed dropout from it (`Dropout.forward(x, context)`). */
  readonly random: Random;
  /** Optimizer steps taken so far. */
  readonly step: number;
}

/** What a loss function returns: the scalar to minimise and, for modifiers, the model outputs. */
export interface TrainingLossResult {
  loss: tf.Scalar;
  outputs?: unknown;
}

/** The loss of one micro-batch; it runs inside the gradient tape. */
export type TrainingLoss<M extends Module, B> = (model: M, batch: B, context: TrainingLossContext) => TrainingLossResult;

/** An evaluation run every `evalEvery` steps (model in eval mode), told the optimizer steps taken so far; its numbers are logged. */
export type TrainingEvaluate<M extends Module> = (model: M, context: { step: number }) => Record<string, number> | Promise<Record<string, number>>;

/** How the progress is shown when `progress` is an object. */
export interface ProgressOptions {
  /** Where it is written (default `process.stderr`); a bar when `stream.isTTY`, plain lines otherwise. */
  stream?: ProgressStream;
  /** Least time between two plain lines, in milliseconds (default 5000). */
  intervalMs?: number;
}

/**
 * The plain (JSON-like) settings of a run, validated by zod.
 *
 * @example
 * ```ts
 * const settings = trainerSettingsSchema.parse({ maxSteps: 1000, batchSize: 32 }); // clipNorm 1, seed 0, ...
 * ```
 */
export const trainerSettingsSchema = z
  .object({
    /** Optimizer steps to take in all (a resumed run stops at the same step). */
    maxSteps: z.number().int().positive(),
    /** Examples per micro-batch. */
    batchSize: z.number().int().positive(),
    /** Micro-batches whose gradients are averaged into one optimizer step. */
    gradientAccumulation: z.number().int().positive().default(1),
    /** Global gradient-norm clipping threshold; null turns clipping off. */
    clipNorm: z.number().positive().nullable().default(1),
    /** Seeds data shuffling, dropout and every other random choice of the run. */
    seed: z.number().int().default(0),
    /** Run `evaluate` every this many steps (and after the last step). */
    evalEvery: z.number().int().positive().optional(),
    /** Write `checkpoint-<step>/` every `every` steps and after the last step, keeping the newest `keep`. */
    checkpoint: z
      .object({ dir: z.string().min(1), every: z.number().int().positive(), keep: z.number().int().positive().default(2) })
      .strict()
      .optional(),
    /** Append one JSON record per line (steps, evaluations, modifier notes) to `file`. */
    log: z.object({ file: z.string().min(1) }).strict().optional(),
    /** A progress bar on a TTY, plain rate-limited lines otherwise; false for none. */
    progress: z
      .union([
        z.boolean(),
        z
          .object({
            stream: z.custom<ProgressStream>((value) => typeof (value as ProgressStream | undefined)?.write === 'function').optional(),
            intervalMs: z.number().min(0).optional(),
          })
          .strict(),
      ])
      .default(true),
    /** Continue from the newest complete checkpoint in `checkpoint.dir`, if there is one. */
    resume: z.boolean().default(false),
  })
  .strict();

export type TrainerSettings = z.output<typeof trainerSettingsSchema>;

/** Options of {@link createTrainer}. */
export interface TrainerOptions<M extends Module, B> extends z.input<typeof trainerSettingsSchema> {
  model: M;
  data: TrainingData<B>;
  loss: TrainingLoss<M, B>;
  /** Default `createAdamW()`. */
  optimizer?: AdamW;
  /** The learning rate per step; a number is a constant rate. */
  schedule: LearningRateSchedule | number;
  evaluate?: TrainingEvaluate<M>;
  /** Called in order: `update` before each step, `modifyLoss` inside the tape. */
  modifiers?: Modifier[];
}

/** One optimizer step as logged and kept in the summary. */
export interface StepRecord {
  /** Optimizer steps taken, this one included (1 for the first). */
  step: number;
  /** Mean loss over the step's micro-batches. */
  loss: number;
  /** The learning rate used (schedule × modifier factors). */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  epoch: number;
}

/** One evaluation as logged and kept in the summary. */
export interface EvaluationRecord {
  step: number;
  eval: Record<string, number>;
}

/**
 * What a run returns.
 *
 * @example
 * ```ts
 * const { steps, finalLoss, history }: TrainSummary = await trainer.train();
 * ```
 */
export interface TrainSummary {
  /** Optimizer steps taken in all (including those before a resume). */
  steps: number;
  /** Loss of the last step of this process (NaN when no step ran). */
  finalLoss: number;
  /** The steps this process ran. */
  history: StepRecord[];
  evaluations: EvaluationRecord[];
  /** The step of the checkpoint this run resumed from, if any. */
  resumedFrom?: number;
}

/**
 * Validates the plain settings, or throws a {@link ConfigError} listing every problem.
 *
 * @example
 * ```ts
 * const settings = parseTrainerSettings({ maxSteps: 100, batchSize: 8, progress: false });
 * ```
 */
export function parseTrainerSettings(options: Record<string, unknown>): TrainerSettings {
  const keys = Object.keys(trainerSettingsSchema.shape);
  const plain = Object.fromEntries(Object.entries(options).filter(([key]) => keys.includes(key)));
  const parsed = trainerSettingsSchema.safeParse(plain);
  if (!parsed.success) {
    throw new ConfigError('Invalid Trainer options', {
      expected: 'positive integer maxSteps and batchSize, and the other settings as documented',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '),
    });
  }
  const settings = parsed.data;
  if (settings.resume && settings.checkpoint === undefined) {
    throw new ConfigError('resume: true needs a checkpoint directory', {
      expected: 'checkpoint: { dir, every } alongside resume: true',
      received: 'no checkpoint option',
    });
  }
  return settings;
}
