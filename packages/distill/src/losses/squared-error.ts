import { tf } from '@pofa/core';
import { maskedMean } from './masked-mean';

/**
 * Σ over unmasked rows of Σ (student − teacher)² over the last axis, divided by
 * (unmasked rows × last-axis size): the masked mean squared error. Call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * maskedSquaredError(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 0]])); // (1 + 4) / 2 = 2.5
 * ```
 */
export function maskedSquaredError(student: tf.Tensor, teacher: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  const width = student.shape[student.rank - 1] ?? 1;
  const rowSum = tf.sum(tf.squaredDifference(student, teacher), -1);
  return tf.div(maskedMean(rowSum, mask), width);
}
