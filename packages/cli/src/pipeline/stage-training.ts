import { join } from 'node:path';
import {
  createLinearWarmupSchedule,
  createModifier,
  createTrainer,
  tf,
  type Modifier,
  type Module,
  type ProgressStream,
  type TrainingData,
  type TrainingLoss,
} from '@pofa/core';
import { maskedLmLoss, sequenceClassificationLoss, type EncoderModel, type FeatureRequest } from '@pofa/models';
import { createMaskedLmBatcher, createTextBatcher, type BatchableExample, type TextBatch } from '@pofa/tasks';
import { InterruptedError } from '../errors/interrupted-error';
import { bestKeeper, readBestValidation, type BestValidation, type KeepBest } from './keep-best';
import type { PreparedEncoder } from './text-encoder';

/** How the stages of a run train, whatever the stage: progress bars, the stop signal, checkpoint spacing. */
export interface StageIo {
  /** Progress bars of each stage (stderr in the CLI); false for none. */
  progress: ProgressStream | false;
  /** Aborted on Ctrl-C: the running stage stops at its next step, its last checkpoint intact. */
  signal?: AbortSignal;
  /** Optimizer steps between two checkpoints of a stage (what an interruption can lose at most). */
  checkpointEvery: number;
}

/** Where and how a stage trains: its run folder, resume flag, progress stream and stop signal. */
export interface StageEnvironment extends StageIo {
  /** The stage's folder in the run directory (checkpoints go to `<dir>/checkpoints`). */
  dir: string;
  resume: boolean;
  seed: number;
}

/**
 * A modifier that stops training with an {@link InterruptedError} at the next step once `signal`
 * is aborted (Ctrl-C). The Trainer's last checkpoint stays intact, so `--resume` continues there.
 *
 * @example
 * ```ts
 * const stop = createInterruptModifier(controller.signal, 'sparse pre-training');
 * ```
 */
export function createInterruptModifier(signal: AbortSignal | undefined, stage: string): Modifier {
  return createModifier({
    kind: 'cli/interrupt',
    onUpdate(context) {
      if (signal?.aborted === true) {
        throw new InterruptedError(`Interrupted during ${stage} at step ${context.step}`, {
          hint: 'The last checkpoint is intact: run the same command with --resume (and the same --out) to continue',
        });
      }
    },
  });
}

/**
 * Trains a model for one stage with the core Trainer: AdamW, linear warmup (10%) and decay,
 * clipping at 1, checkpoints every `checkpointEvery` steps under `<dir>/checkpoints` (resumed
 * with `resume`), a progress bar, and a stop on Ctrl-C. With `keepBest`, the model is scored on
 * the validation split every `keepBest.every` steps and after the last, and the best-scoring
 * weights so far are saved in `<dir>/best-<step>` ({@link readBestValidation} names them; they
 * survive an interruption with the checkpoints); the result says which step was best.
 *
 * @example
 * ```ts
 * await trainStage({ name: 'teacher fine-tuning', model, data, loss: classificationLoss, steps: 150, learningRate: 5e-4, environment });
 * ```
 */
export async function trainStage<B>(options: {
  name: string;
  model: Module;
  data: TrainingData<B>;
  loss: TrainingLoss<Module, B>;
  steps: number;
  learningRate: number;
  batchSize: number;
  /** Examples per forward/backward pass; `batchSize` must be a multiple (gradients are accumulated). Default: `batchSize`. */
  microBatchSize?: number;
  modifiers?: Modifier[];
  environment: StageEnvironment;
  /** Keep the weights that score best on the validation split (early stopping by selection). */
  keepBest?: KeepBest;
}): Promise<{ finalLoss: number; resumedFrom?: number; best?: BestValidation }> {
  const { environment, keepBest } = options;
  const trainer = createTrainer({
    model: options.model,
    data: options.data,
    loss: options.loss,
    schedule: createLinearWarmupSchedule({ learningRate: options.learningRate, warmupSteps: Math.ceil(options.steps / 10), totalSteps: options.steps }),
    maxSteps: options.steps,
    batchSize: options.microBatchSize ?? options.batchSize,
    gradientAccumulation: options.batchSize / (options.microBatchSize ?? options.batchSize),
    seed: environment.seed,
    clipNorm: 1,
    modifiers: [createInterruptModifier(environment.signal, options.name), ...(options.modifiers ?? [])],
    checkpoint: { dir: join(environment.dir, 'checkpoints'), every: environment.checkpointEvery, keep: 1 },
    log: { file: join(environment.dir, 'log.jsonl') },
    progress: environment.progress === false ? false : { stream: environment.progress },
    resume: environment.resume,
    ...(keepBest === undefined ? {} : { evalEvery: keepBest.every, evaluate: bestKeeper(keepBest, environment.dir) }),
  });
  try {
    const summary = await trainer.train();
    const best = keepBest === undefined ? undefined : await readBestValidation(environment.dir);
    return { finalLoss: summary.finalLoss, ...(summary.resumedFrom === undefined ? {} : { resumedFrom: summary.resumedFrom }), ...(best === undefined ? {} : { best }) };
  } finally {
    trainer.optimizer.dispose();
  }
}

function firstBatch(batches: Generator<TextBatch>): TextBatch {
  const next = batches.next();
  batches.return(undefined);
  return next.value as TextBatch;
}

/**
 * Masked-LM training data over `texts`: the Trainer's shuffled indices become one batch with
 * BERT masking seeded by the batch's position, so a resumed run sees the same batches.
 *
 * @example
 * ```ts
 * const data = maskedLmData(corpus.train, encoder);
 * ```
 */
export function maskedLmData(texts: readonly string[], encoder: PreparedEncoder): TrainingData<TextBatch> {
  const { tokenizer } = encoder;
  return {
    size: texts.length,
    batch: (indices) =>
      firstBatch(
        createMaskedLmBatcher(
          indices.map((index) => texts[index]),
          {
            encode: encoder.encode, padId: tokenizer.padId, maskId: tokenizer.maskId, vocabSize: tokenizer.vocabSize,
            specialIds: [tokenizer.clsId, tokenizer.sepId, tokenizer.unkId], batchSize: indices.length, maxLength: encoder.maxLength,
            shuffle: false, seed: indices.reduce((hash, index) => (hash * 31 + index) | 0, 7),
          },
        ).batches(0),
      ),
  };
}

/**
 * Labelled training data for a classification or regression task (the Trainer picks the indices).
 *
 * @example
 * ```ts
 * const data = taskData(task.train, encoder, { labels: task.labels });
 * ```
 */
export function taskData(
  examples: readonly BatchableExample[],
  encoder: PreparedEncoder,
  labelling: { labels?: string[]; regression?: boolean; labelScale?: { mean: number; std: number } },
): TrainingData<TextBatch> {
  return {
    size: examples.length,
    batch: (indices) =>
      firstBatch(
        createTextBatcher(
          indices.map((index) => examples[index]),
          { encode: encoder.encode, padId: encoder.tokenizer.padId, batchSize: indices.length, maxLength: encoder.maxLength, ...labelling },
        ).batches(0),
      ),
  };
}

/**
 * The masked-LM loss of a training step; the outputs carry the logits and, as `mask`, the
 * positions the loss reads (what the distillation modifier compares).
 *
 * @example
 * ```ts
 * createTrainer({ model, data, loss: maskedLmTrainingLoss, ... });
 * ```
 */
export const maskedLmTrainingLoss: TrainingLoss<Module, TextBatch> = (model, batch, context) => {
  const outputs = (model as EncoderModel).forward(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    { training: true, random: context.random },
  );
  const labels = batch.labels as tf.Tensor;
  const mask = tf.cast(tf.notEqual(labels, -100), 'float32');
  return { loss: maskedLmLoss(outputs.logits as tf.Tensor, labels), outputs: { ...outputs, mask } };
};

/**
 * The loss of a classification (cross-entropy) or regression (MSE) training step whose outputs
 * also carry the requested features (hidden states for a distillation that matches them).
 *
 * @example
 * ```ts
 * createTrainer({ model, data, loss: classificationLossWith({ hidden: true }), ... });
 * ```
 */
export function classificationLossWith(features?: FeatureRequest): TrainingLoss<Module, TextBatch> {
  return (model, batch, context) => {
    const outputs = (model as EncoderModel).forward(
      { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
      { training: true, random: context.random, ...(features === undefined ? {} : { features }) },
    );
    return { loss: sequenceClassificationLoss(outputs.logits as tf.Tensor, batch.labels as tf.Tensor), outputs };
  };
}

/**
 * The loss of a classification (cross-entropy) or regression (MSE) training step.
 *
 * @example
 * ```ts
 * createTrainer({ model, data, loss: classificationTrainingLoss, ... });
 * ```
 */
export const classificationTrainingLoss: TrainingLoss<Module, TextBatch> = classificationLossWith();
