import { tf } from '@pofa/core';
import { assertMaskShape, assertRank, assertSameShape } from './loss-inputs';
import { type MaskOption, noOptionsSchema, parseLossOptions } from './loss-options';
import { maskedMean } from './masked-mean';

/** The product of the squared norms is clamped to at least this before its square root. */
export const COSINE_EPSILON_SQUARED = 1e-16;

/** Options of {@link cosineEmbeddingLoss}: the padding `mask`. */
export type CosineEmbeddingLossOptions = MaskOption;

/**
 * DistilBERT's cosine embedding loss (target +1): mean over unmasked positions of
 * 1 − cos(s, t), with cos = s·t / √max(‖s‖²‖t‖², 1e-16) so a zero vector gives cos = 0.
 *
 * Shapes: `studentHidden`, `teacherHidden` `[batch, seq, hidden]` (any leading dimensions);
 * `mask` (optional) `[batch, seq]`, 1 for real tokens. Returns a scalar in [0, 2].
 *
 * @example
 * ```ts
 * const loss = cosineEmbeddingLoss(student.hidden[6], teacher.hidden[12], { mask });
 * ```
 */
export function cosineEmbeddingLoss(
  studentHidden: tf.Tensor,
  teacherHidden: tf.Tensor,
  options: CosineEmbeddingLossOptions = {},
): tf.Scalar {
  const { mask, ...rest } = options;
  parseLossOptions(noOptionsSchema, rest, 'cosineEmbeddingLoss');
  assertRank(studentHidden, 2, Infinity, 'studentHidden', 'cosineEmbeddingLoss', '[batch, seq, hidden]');
  assertSameShape(studentHidden, teacherHidden, 'studentHidden', 'teacherHidden', 'cosineEmbeddingLoss');
  if (mask !== undefined) {
    assertMaskShape(mask, studentHidden.shape.slice(0, -1), 'cosineEmbeddingLoss', 'the leading dimensions [batch, seq]');
  }
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(studentHidden, teacherHidden), -1);
    const normProduct = tf.mul(tf.sum(tf.square(studentHidden), -1), tf.sum(tf.square(teacherHidden), -1));
    const cosine = tf.div(dot, tf.sqrt(tf.maximum(normProduct, COSINE_EPSILON_SQUARED)));
    return maskedMean(tf.sub(1, cosine), mask);
  });
}
