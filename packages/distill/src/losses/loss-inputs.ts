import { ShapeError, tf } from '@pofa/core';

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Throws a {@link ShapeError} naming both arguments unless the two tensors have one shape.
 *
 * @example
 * ```ts
 * assertSameShape(student, teacher, 'studentLogits', 'teacherLogits', 'kdKlDivergence');
 * ```
 */
export function assertSameShape(
  student: tf.Tensor,
  teacher: tf.Tensor,
  studentName: string,
  teacherName: string,
  lossName: string,
): void {
  if (tf.util.arraysEqual(student.shape, teacher.shape)) return;
  throw new ShapeError(`${lossName}: ${studentName} and ${teacherName} have different shapes`, {
    expected: `${studentName} of the shape of ${teacherName}, ${shapeText(teacher.shape)}`,
    received: shapeText(student.shape),
    hint: 'Project the student features to the teacher width with createProjection, or match layers of the same size',
  });
}

/**
 * Throws a {@link ShapeError} naming the argument unless `tensor` has a rank in `[minRank, maxRank]`.
 *
 * @example
 * ```ts
 * assertRank(studentScores, 4, 4, 'studentScores', 'attentionMse', '[batch, heads, seq, seq]');
 * ```
 */
export function assertRank(
  tensor: tf.Tensor,
  minRank: number,
  maxRank: number,
  name: string,
  lossName: string,
  layout: string,
): void {
  if (tensor.rank >= minRank && tensor.rank <= maxRank) return;
  throw new ShapeError(`${lossName}: ${name} has the wrong rank`, {
    expected: `a tensor of layout ${layout}`,
    received: `shape ${shapeText(tensor.shape)}`,
  });
}

/**
 * Throws a {@link ShapeError} naming `mask` unless it has exactly `expected` as its shape.
 *
 * @example
 * ```ts
 * assertMaskShape(mask, [2, 128], 'hiddenMse', 'the leading dimensions [batch, seq] of the hidden states');
 * ```
 */
export function assertMaskShape(mask: tf.Tensor, expected: readonly number[], lossName: string, meaning: string): void {
  if (tf.util.arraysEqual(mask.shape, expected as number[])) return;
  throw new ShapeError(`${lossName}: mask has the wrong shape`, {
    expected: `${shapeText(expected)} (${meaning})`,
    received: shapeText(mask.shape),
    hint: 'Pass the attention mask of the batch, 1 for real tokens and 0 for padding',
  });
}
