import { ShapeError, tf, type DistillationLoss } from '@pofa/core';
import { z } from 'zod';

/**
 * Options of {@link jensenShannonLoss}: the softmax temperature (default 1).
 *
 * @example
 * ```ts
 * jensenShannonOptionsSchema.parse({}); // { temperature: 1 }
 * ```
 */
export const jensenShannonOptionsSchema = z.object({ temperature: z.number().positive().default(1) }).strict();

/** The parsed options of {@link jensenShannonLoss}. */
export type JensenShannonOptions = z.output<typeof jensenShannonOptionsSchema>;

/** Smallest mixture probability taken a log of: float32 softmax can underflow to 0 for far-apart logits. */
const TINY = 1e-30;

function checkShapes(student: tf.Tensor, teacher: tf.Tensor, mask: tf.Tensor | undefined): void {
  if (student.rank < 1 || !tf.util.arraysEqual(student.shape, teacher.shape)) {
    throw new ShapeError('Jensen-Shannon distillation needs student and teacher logits of one shape', {
      expected: `[...rows, classes], the same for both (student [${student.shape.join(', ')}])`,
      received: `teacher [${teacher.shape.join(', ')}]`,
    });
  }
  if (mask !== undefined && !tf.util.arraysEqual(mask.shape, student.shape.slice(0, -1))) {
    throw new ShapeError('The mask must have the shape of the logits without their last axis', {
      expected: `[${student.shape.slice(0, -1).join(', ')}]`,
      received: `[${mask.shape.join(', ')}]`,
      hint: 'Pass the [batch, seq] attention mask with token logits, and no mask with sequence logits',
    });
  }
}

/**
 * Jensen–Shannon knowledge distillation: T² · mean over rows of
 * JS(p, q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), with p = softmax(teacher / T), q = softmax(student / T)
 * and m = (p + q) / 2. Unlike Hinton's KL it is symmetric and bounded by T² · ln 2, so one
 * confident wrong teacher row cannot dominate the batch.
 *
 * Shapes: `student` and `teacher` `[...rows, classes]`; `mask` (optional) `[...rows]`, 1 where a
 * row counts (token logits with padding). Returns a scalar, 0 when student = teacher.
 *
 * @example
 * ```ts
 * jensenShannonLoss.compute(tf.tensor2d([[0, 0]]), tf.tensor2d([[Math.log(3), 0]]), { temperature: 1 });
 * // p = [0.75, 0.25], q = [0.5, 0.5], m = [0.625, 0.375]: ½(0.03537 + 0.03227) ≈ 0.03382
 * ```
 */
export const jensenShannonLoss: DistillationLoss<JensenShannonOptions> = {
  specificationVersion: 'v1',
  name: 'example/jensen-shannon',
  description: 'T² · Jensen-Shannon divergence between the softened teacher and student distributions',
  optionsSchema: jensenShannonOptionsSchema,
  properties: { zeroWhenEqual: true, nonNegative: true },
  compute(student, teacher, { temperature, mask }) {
    checkShapes(student, teacher, mask);
    return tf.tidy(() => {
      const teacherLog = tf.logSoftmax(tf.div(teacher, temperature));
      const studentLog = tf.logSoftmax(tf.div(student, temperature));
      const mixtureLog = tf.log(tf.maximum(tf.div(tf.add(tf.exp(teacherLog), tf.exp(studentLog)), 2), TINY));
      const divergence = (log: tf.Tensor) => tf.sum(tf.mul(tf.exp(log), tf.sub(log, mixtureLog)), -1);
      const rows = tf.mul(tf.add(divergence(teacherLog), divergence(studentLog)), 0.5);
      const weights = mask === undefined ? tf.onesLike(rows) : tf.cast(mask, 'float32');
      const mean = tf.div(tf.sum(tf.mul(rows, weights)), tf.maximum(tf.sum(weights), 1));
      return tf.mul(mean, temperature * temperature) as tf.Scalar;
    });
  },
};
