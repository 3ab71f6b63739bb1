import { tf } from '@pofa/core';
import { assertRank, assertSameShape } from './loss-inputs';

/** The squared norm is clamped to at least this before its square root (a zero vector stays 0). */
export const PKD_EPSILON_SQUARED = 1e-24;

function normalizeRows(vectors: tf.Tensor): tf.Tensor {
  const squaredNorm = tf.sum(tf.square(vectors), -1, true);
  return tf.div(vectors, tf.sqrt(tf.maximum(squaredNorm, PKD_EPSILON_SQUARED)));
}

function clsVectors(hidden: tf.Tensor): tf.Tensor {
  if (hidden.rank === 2) return hidden;
  return tf.squeeze(tf.slice(hidden, [0, 0, 0], [-1, 1, -1]), [1]);
}

/**
 * BERT-PKD's patient loss for one layer pair: the [CLS] vectors (position 0) of student and
 * teacher, each L2-normalised, Σ of squared differences over the hidden dimension, mean over
 * the batch. [CLS] is never padding, so there is no mask.
 *
 * Shapes: `studentHidden`, `teacherHidden` `[batch, seq, hidden]`, or `[batch, hidden]` when
 * the [CLS] vectors are already taken. Returns a scalar in [0, 4].
 *
 * @example
 * ```ts
 * const loss = pkdLoss(student.hidden[3], teacher.hidden[6]);
 * ```
 */
export function pkdLoss(studentHidden: tf.Tensor, teacherHidden: tf.Tensor): tf.Scalar {
  assertRank(studentHidden, 2, 3, 'studentHidden', 'pkdLoss', '[batch, seq, hidden] or [batch, hidden]');
  assertSameShape(studentHidden, teacherHidden, 'studentHidden', 'teacherHidden', 'pkdLoss');
  return tf.tidy(() => {
    const difference = tf.sub(normalizeRows(clsVectors(studentHidden)), normalizeRows(clsVectors(teacherHidden)));
    return tf.mean(tf.sum(tf.square(difference), -1));
  });
}
