import { tf } from '@pofa/core';
import type { z } from 'zod';
import { assertMaskShape, assertRank, assertSameShape } from './loss-inputs';
import { type MaskOption, parseLossOptions, temperatureOptionsSchema } from './loss-options';
import { maskedMean } from './masked-mean';

/** Options of {@link kdKlDivergence}: `temperature` (default 1) and the padding `mask`. */
export type KdKlDivergenceOptions = z.input<typeof temperatureOptionsSchema> & MaskOption;

/**
 * Knowledge distillation as a KL divergence, the Prune OFA loss (with T = 2):
 * T² · mean over rows of KL(softmax(teacher / T) ‖ softmax(student / T)).
 *
 * Shapes: `studentLogits`, `teacherLogits` `[...rows, classes]`; `mask` (optional) has the
 * shape of the rows (`[batch, seq]` for token logits), 1 where a row counts. Returns a scalar,
 * 0 when student = teacher. Both sides go through log-softmax, so no log(0) can occur.
 *
 * @example
 * ```ts
 * const loss = kdKlDivergence(studentLogits, teacherLogits, { temperature: 2 });
 * ```
 */
export function kdKlDivergence(
  studentLogits: tf.Tensor,
  teacherLogits: tf.Tensor,
  options: KdKlDivergenceOptions = {},
): tf.Scalar {
  const { mask, ...rest } = options;
  const { temperature } = parseLossOptions(temperatureOptionsSchema, rest, 'kdKlDivergence');
  assertRank(studentLogits, 1, Infinity, 'studentLogits', 'kdKlDivergence', '[...rows, classes]');
  assertSameShape(studentLogits, teacherLogits, 'studentLogits', 'teacherLogits', 'kdKlDivergence');
  if (mask !== undefined) {
    assertMaskShape(mask, studentLogits.shape.slice(0, -1), 'kdKlDivergence', 'the leading dimensions of the logits');
  }
  return tf.tidy(() => {
    const teacherLogProbabilities = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const studentLogProbabilities = tf.logSoftmax(tf.div(studentLogits, temperature));
    const difference = tf.sub(teacherLogProbabilities, studentLogProbabilities);
    const rowLoss = tf.sum(tf.mul(tf.exp(teacherLogProbabilities), difference), -1);
    return tf.mul(maskedMean(rowLoss, mask), temperature * temperature) as tf.Scalar;
  });
}
