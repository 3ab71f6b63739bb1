import { tf } from '@pofa/core';
import { assertMaskShape, assertRank } from './loss-inputs';

/**
 * Checks an attention-map input `[batch, heads, seq, seq]` and, when given, its `[batch, seq]`
 * mask. Throws a ShapeError naming `name` or `mask`.
 *
 * @example
 * ```ts
 * assertAttentionInput(studentScores, 'studentScores', 'attentionMse', mask);
 * ```
 */
export function assertAttentionInput(map: tf.Tensor, name: string, lossName: string, mask?: tf.Tensor): void {
  assertRank(map, 4, 4, name, lossName, '[batch, heads, seq, seq]');
  if (mask === undefined) return;
  const [batch, , queries, keys] = map.shape;
  assertMaskShape(mask, [batch, keys], lossName, '[batch, seq] of the attention maps');
  assertMaskShape(mask, [batch, queries], lossName, '[batch, seq] of the attention maps (queries and keys both)');
}

/**
 * The mask of the query rows, `[batch, 1, seq, 1]`, and of the keys, `[batch, 1, 1, seq]`, as
 * float32 tensors that broadcast against `[batch, heads, seq, seq]`. Call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * const { queries, keys } = attentionMasks(mask); // mask [2, 8] → [2, 1, 8, 1] and [2, 1, 1, 8]
 * ```
 */
export function attentionMasks(mask: tf.Tensor): { queries: tf.Tensor; keys: tf.Tensor } {
  const [batch, seq] = mask.shape;
  const floatMask = tf.cast(mask, 'float32');
  return {
    queries: tf.reshape(floatMask, [batch, 1, seq, 1]),
    keys: tf.reshape(floatMask, [batch, 1, 1, seq]),
  };
}
