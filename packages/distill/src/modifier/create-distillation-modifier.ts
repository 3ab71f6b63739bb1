import {
  createModifier,
  type DistillationLoss,
  type BatchContext,
  type LossContext,
  type ModuleList,
  type Parameter,
  type Random,
  type Registry,
  type ScheduledModifier,
  tf,
} from '@pofa/core';
import { parseLossOptions } from '../losses/loss-options';
import type { Projection } from '../projection/create-projection';
import { type DistillationConfig, type DistillationConfigInput, distillationConfigSchema } from './distillation-config';
import { type DistillationFeatures, type FeatureRequest, featureRequest } from './distillation-features';
import { createMatchProjections, distillationObjective, resolveLoss } from './distillation-objective';

/** What the modifier needs of a teacher: a forward pass returning named features (a `@pofa/models` model fits). */
export interface DistillationTeacher {
  forward(inputs: never, options: { training: false; features: FeatureRequest }): DistillationFeatures;
  eval(): unknown;
  parameters(): Parameter[];
}

/** Options of {@link createDistillationModifier}. */
export interface DistillationModifierOptions {
  /** The teacher; put in inference mode and frozen at `initialize`. */
  teacher: DistillationTeacher;
  /** The run as data (see `distillationConfigSchema`, or `distillationPreset`). */
  config: DistillationConfigInput;
  /** The teacher's inputs from a training batch (default: the batch itself). */
  teacherInputs?: (batch: unknown) => unknown;
  /** Third-party loss specs the config may name, besides this package's. */
  losses?: readonly DistillationLoss[];
  /** A registry whose `distillation-loss` specs the config may also name (after `losses`). */
  registry?: Registry;
  /** Seeds the projections' initial weights. */
  random?: Random;
}

/** The distillation modifier (a `createModifier` modifier), with the projections it trains. */
export interface DistillationModifier extends ScheduledModifier {
  readonly config: DistillationConfig;
  /** The projections of narrower student features; the Trainer trains them through `modules()`. */
  readonly projections: ModuleList<Projection>;
}

/**
 * A modifier that distils a teacher into the model being trained, built on core's
 * `createModifier` (active for `start ≤ step < end`). Before the gradient tape opens,
 * `prepareLoss` runs the teacher in inference mode on the batch (so its activations are not
 * kept for backpropagation); inside it, `modifyLoss(loss, { batch, outputs, step, prepared })`
 * reads the student's features from `outputs` (what the training loss returned, e.g.
 * `@pofa/models` outputs with the features the config needs), and returns the weighted sum
 * of the task loss, the soft-target loss and the intermediate matches. At `initialize` the
 * teacher goes to eval mode and its parameters become non-trainable, so no step changes them.
 *
 * @example
 * ```ts
 * const modifier = createDistillationModifier({ teacher, config: distillationPreset('prune-ofa') });
 * const trainer = createTrainer({ model: student, modifiers: [modifier], ... });
 * ```
 */
export function createDistillationModifier(options: DistillationModifierOptions): DistillationModifier {
  const config = parseLossOptions(distillationConfigSchema, options.config, 'createDistillationModifier');
  const registered = options.registry?.list('distillation-loss').map((name) => options.registry!.get('distillation-loss', name)) ?? [];
  const losses = [...(options.losses ?? []), ...registered];
  resolveLoss(config.softLoss, losses);
  for (const match of config.intermediate) resolveLoss(match.loss, losses);
  const { list, byMatch } = createMatchProjections(config, options.random);
  const request = featureRequest(config.intermediate.map((match) => match.feature));
  const { teacher } = options;
  const teacherInputs = options.teacherInputs ?? ((batch: unknown) => batch);

  const modifier = createModifier({
    kind: 'distill/distillation',
    start: config.start,
    end: config.end,
    onInitialize() {
      teacher.eval();
      for (const parameter of teacher.parameters()) {
        parameter.trainable = false;
        parameter.variable.trainable = false;
      }
    },
    // The teacher runs before the student's gradient tape opens: its activations are not kept for a backward pass.
    prepareLoss: (context: BatchContext) => teacher.forward(teacherInputs(context.batch) as never, { training: false, features: request }),
    modifyLoss(loss: tf.Scalar, context: LossContext): tf.Scalar {
      return tf.tidy(() => {
        const teacherOutputs = (context.prepared as DistillationFeatures | undefined) ?? teacher.forward(teacherInputs(context.batch) as never, { training: false, features: request });
        return distillationObjective({
          config,
          hardLoss: loss,
          student: context.outputs as DistillationFeatures,
          teacher: teacherOutputs,
          step: context.step,
          projections: byMatch,
          losses,
        });
      });
    },
  });
  // The Trainer optimizes and checkpoints the projections along with the student.
  return Object.assign(modifier, { config, projections: list, modules: () => (list.length > 0 ? { projections: list } : {}) });
}
