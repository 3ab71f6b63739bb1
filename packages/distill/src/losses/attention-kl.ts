import { tf } from '@pofa/core';
import { attentionMasks, assertAttentionInput } from './attention-mask';
import { assertSameShape } from './loss-inputs';
import { type MaskOption, noOptionsSchema, parseLossOptions } from './loss-options';
import { maskedMean } from './masked-mean';

/** Probabilities below this are clamped before the logarithm, so log(0) never occurs. */
export const ATTENTION_KL_EPSILON = 1e-12;

/** Options of {@link attentionKl}: the padding `mask`. */
export type AttentionKlOptions = MaskOption;

/**
 * MiniLM's attention transfer: KL(teacher row ‖ student row) of the attention probabilities,
 * summed over unmasked keys and averaged over heads and unmasked query rows. Logarithms take
 * max(p, 1e-12), so a zero probability contributes 0 · log(…) = 0 on the teacher side and a
 * large finite penalty on the student side.
 *
 * Shapes: `studentProbabilities`, `teacherProbabilities` `[batch, heads, seq, seq]` (rows sum
 * to 1); `mask` (optional) `[batch, seq]`, 1 for real tokens.
 *
 * @example
 * ```ts
 * const loss = attentionKl(student.attentionProbs[5], teacher.attentionProbs[11], { mask });
 * ```
 */
export function attentionKl(
  studentProbabilities: tf.Tensor,
  teacherProbabilities: tf.Tensor,
  options: AttentionKlOptions = {},
): tf.Scalar {
  const { mask, ...rest } = options;
  parseLossOptions(noOptionsSchema, rest, 'attentionKl');
  assertAttentionInput(studentProbabilities, 'studentProbabilities', 'attentionKl', mask);
  assertSameShape(studentProbabilities, teacherProbabilities, 'studentProbabilities', 'teacherProbabilities', 'attentionKl');
  return tf.tidy(() => {
    const teacherLog = tf.log(tf.maximum(teacherProbabilities, ATTENTION_KL_EPSILON));
    const studentLog = tf.log(tf.maximum(studentProbabilities, ATTENTION_KL_EPSILON));
    let terms = tf.mul(teacherProbabilities, tf.sub(teacherLog, studentLog));
    if (mask === undefined) return maskedMean(tf.sum(terms, -1));
    const { queries, keys } = attentionMasks(mask);
    terms = tf.mul(terms, keys);
    return maskedMean(tf.sum(terms, -1), tf.squeeze(queries, [3]));
  });
}
