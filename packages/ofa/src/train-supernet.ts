import { ConfigError, createAdamW, createTrainer, tf, type TrainerOptions, type TrainingLoss, type TrainSummary } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { z } from 'zod';
import { createFrozenTeacher } from './clone-model';
import { setActiveWidth } from './elastic-width';
import { modelInputs, type LabelledInputs } from './importance';
import { supernetDistillationLoss, supernetLossOptionsSchema } from './supernet-loss';
import { DEFAULT_WIDTH_MULTIPLIERS, widthSchema } from './width';

/**
 * Options of {@link createSupernetLoss}: the widths trained, how they are picked each
 * micro-batch, and the loss options.
 *
 * - `all` (default): every width on every micro-batch, their losses added, so the step's
 *   gradient is the sum over widths. This is what DynaBERT (`train_width`) and PaddleNLP's
 *   OFA example (`for width_mult in args.width_mult_list: ... loss.backward()`) do.
 * - `random`: one width per micro-batch, drawn uniformly with the run's seeded `Random`
 *   (PaddleSlim's sampled-subnet training; cheaper per step, resumable to the same draws).
 *
 * @example
 * ```ts
 * supernetTrainingOptionsSchema.parse({ sampling: 'random' }); // widths 1, 0.833, 0.667, 0.5
 * ```
 */
export const supernetTrainingOptionsSchema = supernetLossOptionsSchema.extend({
  widths: z.array(widthSchema).min(1).default([...DEFAULT_WIDTH_MULTIPLIERS]),
  sampling: z.enum(['all', 'random']).default('all'),
});

/** Options of {@link createSupernetLoss}, as the caller writes them. */
export type SupernetTrainingOptions = z.input<typeof supernetTrainingOptionsSchema>;

function parseTrainingOptions(options: unknown): z.output<typeof supernetTrainingOptionsSchema> {
  const parsed = supernetTrainingOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(`Invalid supernet training option "${issue.path.join('.') || 'options'}"`, {
    expected: `${Object.keys(supernetTrainingOptionsSchema.shape).join(', ')} with valid values (${issue.message})`,
    received: JSON.stringify(options),
  });
}

/**
 * The Trainer loss of supernet training: the frozen teacher's outputs (eval mode, full
 * width) once per micro-batch, then for each chosen width the supernet at that width
 * (`setActiveWidth`, dropout seeded by the run) and {@link supernetDistillationLoss}. The
 * supernet is left at the last width it ran.
 *
 * @example
 * ```ts
 * const trainer = createTrainer({ model: supernet, data, loss: createSupernetLoss(teacher), schedule: 5e-5, maxSteps: 1000, batchSize: 32 });
 * ```
 */
export function createSupernetLoss<B extends LabelledInputs>(teacher: EncoderModel, options: SupernetTrainingOptions = {}): TrainingLoss<EncoderModel, B> {
  const { widths, sampling, ...lossOptions } = parseTrainingOptions(options);
  const features = { hidden: true };
  return (model, batch, context) => {
    const teacherOutputs = teacher.forward(modelInputs(teacher, batch), { training: false, features });
    const chosen = sampling === 'all' ? widths : [widths[context.random.int(widths.length)]];
    const inputs = modelInputs(model, batch);
    let total: tf.Scalar | undefined;
    for (const width of chosen) {
      setActiveWidth(model, width);
      const outputs = model.forward(inputs, { training: context.training, random: context.random, features });
      const loss = supernetDistillationLoss(outputs, teacherOutputs, lossOptions);
      total = total === undefined ? loss : (tf.add(total, loss) as tf.Scalar);
    }
    return { loss: total as tf.Scalar };
  };
}

/** Options of {@link trainSupernet}. */
export interface TrainSupernetOptions<B extends LabelledInputs> extends SupernetTrainingOptions {
  /** The fine-tuned model, reordered by importance; trained in place. */
  supernet: EncoderModel;
  /** The full-width teacher; default: a frozen copy of `supernet` made before training (disposed after). */
  teacher?: EncoderModel;
  /** The Trainer's options besides the model and the loss (data, steps, schedule, checkpoints, ...). */
  trainer: Omit<TrainerOptions<EncoderModel, B>, 'model' | 'loss'>;
}

/**
 * Trains a width supernet by distillation with the core Trainer (DynaBERT's width stage,
 * PaddleSlim/PaddleNLP OFA): each step runs the widths of {@link createSupernetLoss}
 * against a frozen full-width teacher. Before training the elastic-width masks are put in
 * place at full width (so checkpoints of the run carry them and resume); after training
 * the supernet is set back to full width. An optimizer the caller did not pass is disposed
 * at the end.
 *
 * @example
 * ```ts
 * const summary = await trainSupernet({
 *   supernet: model,
 *   widths: [1, 0.75, 0.5],
 *   trainer: { data, batchSize: 32, maxSteps: 2000, schedule: createLinearWarmupSchedule({ learningRate: 5e-5, warmupSteps: 200, totalSteps: 2000 }), seed: 1 },
 * });
 * ```
 */
export async function trainSupernet<B extends LabelledInputs>(options: TrainSupernetOptions<B>): Promise<TrainSummary> {
  const { supernet, teacher, trainer: trainerOptions, ...supernetOptions } = options;
  parseTrainingOptions(supernetOptions);
  const frozen = teacher ?? createFrozenTeacher(supernet);
  const optimizer = trainerOptions.optimizer ?? createAdamW();
  try {
    setActiveWidth(supernet, 1);
    const trainer = createTrainer<EncoderModel, B>({ ...trainerOptions, optimizer, model: supernet, loss: createSupernetLoss<B>(frozen, supernetOptions) });
    return await trainer.train();
  } finally {
    setActiveWidth(supernet, 1);
    if (teacher === undefined) frozen.dispose();
    if (trainerOptions.optimizer === undefined) optimizer.dispose();
  }
}
