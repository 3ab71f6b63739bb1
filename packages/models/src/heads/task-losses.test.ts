import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { IGNORE_INDEX, maskedLmLoss, questionAnsweringLoss, sequenceClassificationLoss } from './task-losses';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('task losses', () => {
  it('averages masked LM cross-entropy over labelled positions only', () => {
    // Position 0: uniform over 2 tokens → ln 2. Position 1: ignored. Position 2: logits [ln 3, 0], label 0 → −ln(3/4).
    const logits = tf.tensor3d([[[0, 0], [5, -5], [Math.log(3), 0]]]);
    const labels = tf.tensor2d([[1, IGNORE_INDEX, 0]], undefined, 'int32');
    expect(maskedLmLoss(logits, labels).dataSync()[0]).toBeCloseTo((Math.log(2) - Math.log(0.75)) / 2, 6);
  });

  it('uses cross-entropy for classes and squared error for one output', () => {
    const ce = sequenceClassificationLoss(tf.tensor2d([[0, 0, 0], [Math.log(2), 0, 0]]), tf.tensor1d([2, 0], 'int32'));
    expect(ce.dataSync()[0]).toBeCloseTo((Math.log(3) - Math.log(0.5)) / 2, 6);
    const mse = sequenceClassificationLoss(tf.tensor2d([[1], [3]]), tf.tensor1d([0, 1]));
    expect(mse.dataSync()[0]).toBeCloseTo((1 + 4) / 2, 6);
  });

  it('averages start and end cross-entropy over the sequence, ignoring positions past it (as Hugging Face clamps them)', () => {
    // Row 0: start logits [ln 3, 0, 0], start 0 → −ln(3/5); end logits uniform, end 2 → ln 3.
    // Row 1: start 7 clamps to seq = 3 and is ignored; end −4 clamps to 0 ([CLS]): end logits [0, ln 2, 0] → ln 4.
    const startLogits = tf.tensor2d([[Math.log(3), 0, 0], [9, -9, 0]]);
    const endLogits = tf.tensor2d([[0, 0, 0], [0, Math.log(2), 0]]);
    const loss = questionAnsweringLoss(startLogits, endLogits, tf.tensor1d([0, 7], 'int32'), tf.tensor1d([2, -4], 'int32'));
    const start = -Math.log(3 / 5); // only row 0 counts
    const end = (Math.log(3) + Math.log(4)) / 2;
    expect(loss.dataSync()[0]).toBeCloseTo((start + end) / 2, 6);
    expect(() => questionAnsweringLoss(startLogits, endLogits, tf.tensor1d([0], 'int32'), tf.tensor1d([0, 0], 'int32'))).toThrowError(/Span positions do not match/);
  });
});
