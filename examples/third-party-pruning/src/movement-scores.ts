import { ShapeError, tf } from '@pofa/core';

/**
 * Adds one step's movement to the scores of movement pruning (Sanh et al. 2020):
 * `S ← S − W ⊙ ∂L/∂W`. A weight that gradient descent pushes away from zero (`W` and the
 * gradient of opposite signs) gains score; one pushed towards zero loses it. Pass
 * `undefined` as `previous` at the first step. The caller owns the result; `previous`,
 * `weight` and `gradient` are left alive.
 *
 * @example
 * ```ts
 * let scores = accumulateMovementScores(undefined, tf.tensor1d([1, -2]), tf.tensor1d([0.5, 0.5])); // [-0.5, 1]
 * const next = accumulateMovementScores(scores, weight, gradient);
 * scores.dispose();
 * scores = next;
 * ```
 */
export function accumulateMovementScores(previous: tf.Tensor | undefined, weight: tf.Tensor, gradient: tf.Tensor): tf.Tensor {
  const shapes = previous === undefined ? [gradient.shape] : [gradient.shape, previous.shape];
  const mismatch = shapes.find((shape) => !tf.util.arraysEqual(shape, weight.shape));
  if (mismatch !== undefined) {
    throw new ShapeError('Movement scores, weight and gradient must have one shape', {
      expected: `[${weight.shape.join(', ')}] (the weight's shape)`,
      received: `[${mismatch.join(', ')}]`,
    });
  }
  return tf.tidy(() => {
    const movement = tf.neg(tf.mul(weight, gradient));
    return previous === undefined ? movement : tf.add(previous, movement);
  });
}
