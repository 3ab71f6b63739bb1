import { tf } from '@pofa/core';
import { assertMaskShape, assertRank, assertSameShape } from './loss-inputs';
import { type MaskOption, noOptionsSchema, parseLossOptions } from './loss-options';
import { maskedSquaredError } from './squared-error';

/** Options of {@link hiddenMse}: the padding `mask`. */
export type HiddenMseOptions = MaskOption;

/**
 * Mean squared error of hidden states or embeddings (TinyBERT, MobileBERT): Σ over unmasked
 * positions of (s − t)² / (unmasked positions × hidden).
 *
 * Shapes: `studentHidden`, `teacherHidden` `[batch, seq, hidden]` (any leading dimensions);
 * `mask` (optional) `[batch, seq]`, 1 for real tokens. For a narrower student, project first
 * with {@link createProjection}.
 *
 * @example
 * ```ts
 * const loss = hiddenMse(projection.forward(student.hidden[3]), teacher.hidden[6], { mask });
 * ```
 */
export function hiddenMse(studentHidden: tf.Tensor, teacherHidden: tf.Tensor, options: HiddenMseOptions = {}): tf.Scalar {
  const { mask, ...rest } = options;
  parseLossOptions(noOptionsSchema, rest, 'hiddenMse');
  assertRank(studentHidden, 2, Infinity, 'studentHidden', 'hiddenMse', '[batch, seq, hidden]');
  assertSameShape(studentHidden, teacherHidden, 'studentHidden', 'teacherHidden', 'hiddenMse');
  if (mask !== undefined) {
    assertMaskShape(mask, studentHidden.shape.slice(0, -1), 'hiddenMse', 'the leading dimensions [batch, seq] of the hidden states');
  }
  return tf.tidy(() => maskedSquaredError(studentHidden, teacherHidden, mask));
}
