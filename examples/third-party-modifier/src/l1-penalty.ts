import { ENCODER_LINEAR_WEIGHTS, createModifier, modifierScheduleSchema, selectTargets, tf, type ModifierFactory, type Parameter, type ScheduledModifier } from '@pofa/core';
import { z } from 'zod';

/**
 * The recipe entry of `example/l1-penalty` (besides `type`): the lifecycle keys `start`,
 * `end`, `every`, the penalty `weight` λ, and the `targets` (dotted-name globs; default the
 * encoder Linear weights of BERT and DistilBERT). Not `.strict()` at the top: recipes reject
 * unknown keys anyway, and with a stripping schema they say which known key was meant.
 *
 * @example
 * ```ts
 * l1PenaltyOptionsSchema.parse({ weight: 1e-5, end: 1000 }); // { start: 0, every: 1, end: 1000, weight: 1e-5, targets: {} }
 * ```
 */
export const l1PenaltyOptionsSchema = modifierScheduleSchema
  .extend({
    weight: z.number().positive(),
    targets: z
      .object({ include: z.array(z.string().min(1)).min(1).optional(), exclude: z.array(z.string().min(1)).optional() })
      .strict()
      .default({}),
  });

/** The parsed options of `example/l1-penalty`. */
export type L1PenaltyOptions = z.output<typeof l1PenaltyOptionsSchema>;

/**
 * A modifier that adds λ · Σ |w| over its target weights to the loss while it is active
 * (`start ≤ step < end`): L1 regularisation, which pushes weights toward zero before magnitude
 * pruning. It penalises each weight's effective value (after any mask), so weights already
 * pruned cost nothing. Targets are chosen at `initialize`, when the model is known.
 *
 * @example
 * ```ts
 * const modifier = createL1Penalty(l1PenaltyOptionsSchema.parse({ weight: 1e-5, targets: { include: ['**.dense.weight'] } }));
 * await createTrainer({ model, data, loss, schedule: 1e-4, maxSteps: 1000, batchSize: 32, modifiers: [modifier] }).train();
 * ```
 */
export function createL1Penalty(options: L1PenaltyOptions): ScheduledModifier {
  const { weight, targets, ...schedule } = options;
  let parameters: Parameter[] = [];
  return createModifier({
    kind: 'example/l1-penalty',
    ...schedule,
    onInitialize(context) {
      const include = targets.include ?? ENCODER_LINEAR_WEIGHTS;
      parameters = selectTargets(context.model, { include, exclude: targets.exclude ?? [] }).map(([, parameter]) => parameter);
    },
    modifyLoss: (loss) =>
      tf.tidy(() => tf.add(loss, tf.mul(tf.addN(parameters.map((parameter) => tf.sum(tf.abs(parameter.value())))), weight)) as tf.Scalar),
  });
}

/**
 * `example/l1-penalty` as a modifier factory: a recipe entry `{ type: 'example/l1-penalty',
 * weight, targets?, start?, end? }` becomes {@link createL1Penalty}.
 *
 * @example
 * ```ts
 * registry.register('modifier', l1PenaltyFactory);
 * const [penalty] = createModifiersFromRecipe(parseRecipe('version: 1\nmodifiers:\n  - type: example/l1-penalty\n    weight: 0.00001\n'), registry);
 * ```
 */
export const l1PenaltyFactory: ModifierFactory<L1PenaltyOptions> = {
  specificationVersion: 'v1',
  name: 'example/l1-penalty',
  description: 'Adds weight · Σ|w| over the target weights to the loss while active (L1 regularisation toward sparsity)',
  optionsSchema: l1PenaltyOptionsSchema,
  create: (options) => createL1Penalty(options),
};
