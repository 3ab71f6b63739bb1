import { tf } from '@pofa/core';
import { attentionMasks, assertAttentionInput } from './attention-mask';
import { assertSameShape } from './loss-inputs';
import { type MaskOption, noOptionsSchema, parseLossOptions } from './loss-options';

/** Scores at or below this carry an additive padding mask (Hugging Face adds float32's minimum); they count as 0. */
export const MASKED_SCORE_THRESHOLD = -1e4;

/** Options of {@link attentionMse}: the padding `mask`. */
export type AttentionMseOptions = MaskOption;

function withoutMaskValues(scores: tf.Tensor): tf.Tensor {
  // step(x) is 1 for x > 0 and 0 otherwise, with a (zero) gradient registered, unlike comparisons.
  return tf.mul(scores, tf.step(tf.sub(scores, MASKED_SCORE_THRESHOLD)));
}

/**
 * TinyBERT's attention loss on pre-softmax scores: the squared differences where both the
 * query and the key position are unmasked, divided by Σ over batch and heads of
 * (unmasked positions)², i.e. the mean over the valid part of each map.
 *
 * Shapes: `studentScores`, `teacherScores` `[batch, heads, seq, seq]` (same number of heads);
 * `mask` (optional) `[batch, seq]`, 1 for real tokens. Without a mask it is the plain mean.
 * As in TinyBERT, scores ≤ −1e4 (an additive padding mask) are replaced by 0 first, so
 * masked scores of −3.4e38 never overflow.
 *
 * @example
 * ```ts
 * const loss = attentionMse(student.attentionScores[2], teacher.attentionScores[5], { mask });
 * ```
 */
export function attentionMse(studentScores: tf.Tensor, teacherScores: tf.Tensor, options: AttentionMseOptions = {}): tf.Scalar {
  const { mask, ...rest } = options;
  parseLossOptions(noOptionsSchema, rest, 'attentionMse');
  assertAttentionInput(studentScores, 'studentScores', 'attentionMse', mask);
  assertSameShape(studentScores, teacherScores, 'studentScores', 'teacherScores', 'attentionMse');
  return tf.tidy(() => {
    const squared = tf.squaredDifference(withoutMaskValues(studentScores), withoutMaskValues(teacherScores));
    if (mask === undefined) return tf.mean(squared);
    const { queries, keys } = attentionMasks(mask);
    const heads = studentScores.shape[1] as number;
    const numerator = tf.sum(tf.mul(tf.mul(squared, queries), keys));
    const positions = tf.sum(tf.cast(mask, 'float32'), -1);
    const denominator = tf.mul(tf.sum(tf.square(positions)), heads);
    return tf.div(numerator, tf.maximum(denominator, 1)) as tf.Scalar;
  });
}
