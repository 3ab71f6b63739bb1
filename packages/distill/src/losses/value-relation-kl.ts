import { ShapeError, tf } from '@pofa/core';
import { attentionMasks } from './attention-mask';
import { assertMaskShape, assertRank } from './loss-inputs';
import { type MaskOption, noOptionsSchema, parseLossOptions } from './loss-options';
import { maskedMean } from './masked-mean';

/** Options of {@link valueRelationKl}: the padding `mask`. */
export type ValueRelationKlOptions = MaskOption;

/** Masked keys get this logit before the softmax, so their probability is exactly 0. */
const MASKED_LOGIT = -1e9;

/** log softmax(V·Vᵀ/√d) over the keys, `[batch, heads, seq, seq]`; masked keys get ≈ −1e9. */
function relationLogProbabilities(values: tf.Tensor, keys?: tf.Tensor): tf.Tensor {
  const headDimension = values.shape[3] as number;
  let logits = tf.div(tf.matMul(values, values, false, true), Math.sqrt(headDimension));
  if (keys !== undefined) logits = tf.add(tf.mul(logits, keys), tf.mul(tf.sub(1, keys), MASKED_LOGIT));
  return tf.logSoftmax(logits);
}

/**
 * MiniLM's value-relation transfer: per head, softmax(V·Vᵀ/√d) over the unmasked keys for
 * student and teacher, then KL(teacher ‖ student) averaged over heads and unmasked query rows.
 * The relation is `seq × seq`, so the head dimension of student and teacher may differ.
 *
 * Shapes: `studentValues` `[batch, heads, seq, studentHeadDim]`, `teacherValues`
 * `[batch, heads, seq, teacherHeadDim]`; `mask` (optional) `[batch, seq]`, 1 for real tokens.
 *
 * @example
 * ```ts
 * const loss = valueRelationKl(student.values[5], teacher.values[11], { mask });
 * ```
 */
export function valueRelationKl(
  studentValues: tf.Tensor,
  teacherValues: tf.Tensor,
  options: ValueRelationKlOptions = {},
): tf.Scalar {
  const { mask, ...rest } = options;
  parseLossOptions(noOptionsSchema, rest, 'valueRelationKl');
  const layout = '[batch, heads, seq, headDim]';
  assertRank(studentValues, 4, 4, 'studentValues', 'valueRelationKl', layout);
  assertRank(teacherValues, 4, 4, 'teacherValues', 'valueRelationKl', layout);
  if (!tf.util.arraysEqual(studentValues.shape.slice(0, 3), teacherValues.shape.slice(0, 3))) {
    throw new ShapeError('valueRelationKl: studentValues and teacherValues differ in batch, heads or seq', {
      expected: `studentValues of shape [${teacherValues.shape.slice(0, 3).join(', ')}, headDim]`,
      received: `[${studentValues.shape.join(', ')}]`,
      hint: 'Only the head dimension may differ; match layers with the same number of heads',
    });
  }
  if (mask !== undefined) {
    assertMaskShape(mask, [studentValues.shape[0] as number, studentValues.shape[2] as number], 'valueRelationKl', '[batch, seq] of the values');
  }
  return tf.tidy(() => {
    const masks = mask === undefined ? undefined : attentionMasks(mask);
    const teacherLog = relationLogProbabilities(teacherValues, masks?.keys);
    const studentLog = relationLogProbabilities(studentValues, masks?.keys);
    let terms = tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, studentLog));
    if (masks === undefined) return maskedMean(tf.sum(terms, -1));
    terms = tf.mul(terms, masks.keys);
    return maskedMean(tf.sum(terms, -1), tf.squeeze(masks.queries, [3]));
  });
}
