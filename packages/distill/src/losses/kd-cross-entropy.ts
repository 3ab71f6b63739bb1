import { tf } from '@pofa/core';
import type { z } from 'zod';
import { assertMaskShape, assertRank, assertSameShape } from './loss-inputs';
import { type MaskOption, parseLossOptions, temperatureOptionsSchema } from './loss-options';
import { maskedMean } from './masked-mean';

/** Options of {@link kdCrossEntropy}: `temperature` (default 1) and the padding `mask`. */
export type KdCrossEntropyOptions = z.input<typeof temperatureOptionsSchema> & MaskOption;

/**
 * Hinton's soft-target cross-entropy:
 * T² · mean over rows of −Σ softmax(teacher / T) · log_softmax(student / T).
 *
 * Shapes: `studentLogits`, `teacherLogits` `[...rows, classes]` (e.g. `[batch, classes]` or
 * `[batch, seq, vocab]`); `mask` (optional) has the shape of the rows (`[batch, seq]`), 1 where
 * a row counts. Returns a scalar. Unlike the KL form it is not 0 when student = teacher (it
 * is the teacher's entropy there), but its gradient is the same.
 *
 * @example
 * ```ts
 * const loss = kdCrossEntropy(studentLogits, teacherLogits, { temperature: 2, mask: attentionMask });
 * ```
 */
export function kdCrossEntropy(
  studentLogits: tf.Tensor,
  teacherLogits: tf.Tensor,
  options: KdCrossEntropyOptions = {},
): tf.Scalar {
  const { mask, ...rest } = options;
  const { temperature } = parseLossOptions(temperatureOptionsSchema, rest, 'kdCrossEntropy');
  assertRank(studentLogits, 1, Infinity, 'studentLogits', 'kdCrossEntropy', '[...rows, classes]');
  assertSameShape(studentLogits, teacherLogits, 'studentLogits', 'teacherLogits', 'kdCrossEntropy');
  if (mask !== undefined) {
    assertMaskShape(mask, studentLogits.shape.slice(0, -1), 'kdCrossEntropy', 'the leading dimensions of the logits');
  }
  return tf.tidy(() => {
    const teacherProbabilities = tf.softmax(tf.div(teacherLogits, temperature));
    const studentLogProbabilities = tf.logSoftmax(tf.div(studentLogits, temperature));
    const rowLoss = tf.neg(tf.sum(tf.mul(teacherProbabilities, studentLogProbabilities), -1));
    return tf.mul(maskedMean(rowLoss, mask), temperature * temperature) as tf.Scalar;
  });
}
