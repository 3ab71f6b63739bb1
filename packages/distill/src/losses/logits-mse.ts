import { tf } from '@pofa/core';
import { assertMaskShape, assertRank, assertSameShape } from './loss-inputs';
import { type MaskOption, noOptionsSchema, parseLossOptions } from './loss-options';
import { maskedSquaredError } from './squared-error';

/** Options of {@link logitsMse}: the padding `mask`. */
export type LogitsMseOptions = MaskOption;

/**
 * Mean squared difference of the logits (TinyBERT's prediction layer with T = 1).
 *
 * Shapes: `studentLogits`, `teacherLogits` `[...rows, classes]`; `mask` (optional) has the
 * shape of the rows, 1 where a row counts: Σ over unmasked rows of Σ (s − t)² / (rows × classes).
 *
 * @example
 * ```ts
 * const loss = logitsMse(studentLogits, teacherLogits); // ≥ 0, 0 when they are equal
 * ```
 */
export function logitsMse(studentLogits: tf.Tensor, teacherLogits: tf.Tensor, options: LogitsMseOptions = {}): tf.Scalar {
  const { mask, ...rest } = options;
  parseLossOptions(noOptionsSchema, rest, 'logitsMse');
  assertRank(studentLogits, 1, Infinity, 'studentLogits', 'logitsMse', '[...rows, classes]');
  assertSameShape(studentLogits, teacherLogits, 'studentLogits', 'teacherLogits', 'logitsMse');
  if (mask !== undefined) {
    assertMaskShape(mask, studentLogits.shape.slice(0, -1), 'logitsMse', 'the leading dimensions of the logits');
  }
  return tf.tidy(() => maskedSquaredError(studentLogits, teacherLogits, mask));
}
