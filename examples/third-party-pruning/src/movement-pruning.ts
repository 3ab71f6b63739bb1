import { ConfigError, ShapeError, tf, type PruningContext, type PruningMethod } from '@pofa/core';
import { z } from 'zod';

/**
 * Options of {@link movementPruning}: the fraction of weights to prune, in [0, 1).
 *
 * @example
 * ```ts
 * movementPruningOptionsSchema.parse({ sparsity: 0.9 }); // { sparsity: 0.9 }
 * ```
 */
export const movementPruningOptionsSchema = z.object({ sparsity: z.number().min(0).lt(1) }).strict();

/** The parsed options of {@link movementPruning}. */
export type MovementPruningOptions = z.output<typeof movementPruningOptionsSchema>;

/** The scores to rank by: the context's importance when given (checked), else |weight|. */
function scoresOf(weight: tf.Tensor, context: PruningContext | undefined): Float32Array {
  const importance = context?.importance;
  if (importance === undefined) return Float32Array.from(weight.dataSync(), Math.abs);
  if (!tf.util.arraysEqual(importance.shape, weight.shape)) {
    throw new ShapeError('Movement scores must have the shape of the weight', {
      expected: `[${weight.shape.join(', ')}]`,
      received: `[${importance.shape.join(', ')}]`,
      hint: 'Accumulate one score per weight, e.g. with accumulateMovementScores(scores, weight, gradient)',
    });
  }
  const scores = Float32Array.from(importance.dataSync());
  const bad = scores.findIndex((value) => !Number.isFinite(value));
  if (bad !== -1) {
    throw new ConfigError('Movement scores must be finite', {
      expected: 'finite numbers',
      received: `importance[${bad}] = ${scores[bad]}`,
      hint: 'Check the gradients the scores were accumulated from',
    });
  }
  return scores;
}

/**
 * Movement pruning (Sanh, Wolf and Rush 2020, "Movement Pruning: Adaptive Sparsity by
 * Fine-Tuning"), hard one-shot variant: keeps the weights with the largest movement scores
 * `S = -Σ_t W_t · ∂L/∂W_t` (weights moving away from zero), pruning exactly
 * `floor(sparsity × count)` of them. The scores come as `context.importance`; without them
 * it ranks by |weight|, i.e. it falls back to magnitude pruning (the zeroth-order criterion the
 * paper compares against). Ties go to the earlier position, so masks are deterministic.
 *
 * @example
 * ```ts
 * const weight = tf.tensor2d([[0.1, -2], [3, -0.05]]);
 * const importance = tf.tensor2d([[4, -1], [0.5, 2]]);
 * movementPruning.computeMask(weight, { sparsity: 0.5 }, { importance }); // [[1, 0], [0, 1]]
 * movementPruning.computeMask(weight, { sparsity: 0.5 }); // [[0, 1], [1, 0]] (magnitude)
 * ```
 */
export const movementPruning: PruningMethod<MovementPruningOptions> = {
  specificationVersion: 'v1',
  name: 'example/movement',
  description: 'Hard movement pruning (Sanh et al. 2020): keeps the largest movement scores given as context.importance; |w| without them',
  optionsSchema: movementPruningOptionsSchema,
  granularity: { type: 'element' },
  computeMask(weight, { sparsity }, context) {
    const scores = scoresOf(weight, context);
    const zeros = Math.floor(sparsity * scores.length);
    const order = Array.from(scores.keys()).sort((left, right) => scores[left] - scores[right] || left - right);
    const mask = new Float32Array(scores.length).fill(1);
    for (let rank = 0; rank < zeros; rank++) mask[order[rank]] = 0;
    return tf.tensor(mask, weight.shape, 'float32');
  },
};
