import { tf } from '@pofa/core';

/**
 * The mean of `values` weighted by `weights` (broadcast against `values`): Σ v·w / Σ w, or
 * the plain mean without weights. An all-zero mask gives 0, not NaN. Call it inside `tf.tidy`.
 *
 * @example
 * ```ts
 * maskedMean(tf.tensor([1, 2, 3]), tf.tensor([1, 1, 0])); // 1.5
 * ```
 */
export function maskedMean(values: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  if (weights === undefined) return tf.mean(values);
  const floatWeights = tf.cast(weights, 'float32');
  const numerator = tf.sum(tf.mul(values, floatWeights));
  const denominator = tf.sum(tf.mul(tf.onesLike(values), floatWeights));
  return tf.div(numerator, tf.maximum(denominator, 1));
}
