import { ConfigError, initBackend, tf } from '@pofa/core';
import type { ModelOutputs } from '@pofa/models';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { supernetDistillationLoss } from './supernet-loss';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

let made: tf.Tensor[] = [];
afterEach(() => {
  tf.dispose(made);
  made = [];
});

function outputs(logits: number[][] | undefined, hidden: number[][][][], mask: number[][]): ModelOutputs {
  const tensors = {
    logits: logits === undefined ? undefined : tf.tensor2d(logits),
    hidden: hidden.map((state) => tf.tensor3d(state)),
    mask: tf.tensor2d(mask),
  };
  made.push(...tensors.hidden, tensors.mask, ...(tensors.logits === undefined ? [] : [tensors.logits]));
  return { ...tensors, lastHidden: tensors.hidden[tensors.hidden.length - 1], attentionScores: [], attentionProbs: [], values: [] };
}

describe('supernetDistillationLoss', () => {
  // hidden 0: (1-1)² + (2-0)² over 2 values = 2; hidden 1: (0-0)² + (0-3)² over 2 = 4.5; Σ = 6.5.
  const studentHidden = [[[[1, 2]]], [[[0, 0]]]];
  const teacherHidden = [[[[1, 0]]], [[[0, 3]]]];

  it('adds the soft cross-entropy and 0.1 × the summed hidden MSE (worked by hand)', () => {
    const student = outputs([[1, 0]], studentHidden, [[1]]);
    const teacher = outputs([[0, 0]], teacherHidden, [[1]]);
    // Uniform teacher: −½ log_softmax([1, 0]) summed = log(1 + e) − ½ = 0.8132616875.
    expect(supernetDistillationLoss(student, teacher).dataSync()[0]).toBeCloseTo(0.8132616875 + 0.65, 5);
    // T = 2: T² (log(1 + e^½) − ¼) = 4 × 0.7240769841.
    expect(supernetDistillationLoss(student, teacher, { temperature: 2 }).dataSync()[0]).toBeCloseTo(2.8963079364 + 0.65, 5);
    expect(supernetDistillationLoss(student, teacher, { logitWeight: 0, hiddenWeight: 1 }).dataSync()[0]).toBeCloseTo(6.5, 5);
  });

  it('leaves out a single regression output, and padding when asked', () => {
    expect(supernetDistillationLoss(outputs([[5]], studentHidden, [[1]]), outputs([[-5]], teacherHidden, [[1]])).dataSync()[0]).toBeCloseTo(0.65, 6);
    // Two positions, the second padding where the states differ by 10 in each of 2 values.
    const student = outputs(undefined, [[[[1, 2], [10, 10]]]], [[1, 0]]);
    const teacher = outputs(undefined, [[[[1, 0], [0, 0]]]], [[1, 0]]);
    expect(supernetDistillationLoss(student, teacher, { hiddenWeight: 1 }).dataSync()[0]).toBeCloseTo((4 + 200) / 4, 5);
    expect(supernetDistillationLoss(student, teacher, { hiddenWeight: 1, maskPadding: true }).dataSync()[0]).toBeCloseTo(2, 5);
  });

  it('needs the hidden features and valid options', () => {
    const student = outputs([[1, 0]], studentHidden, [[1]]);
    expect(() => supernetDistillationLoss({ ...student, hidden: [] }, student)).toThrow(/hidden: true/);
    expect(() => supernetDistillationLoss(student, student, { temperature: 0 })).toThrow(ConfigError);
    expect(() => supernetDistillationLoss(student, student, { hiddenWieght: 1 } as never)).toThrow(ConfigError);
  });
});
