import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionKl } from './attention-kl';
import { attentionMse } from './attention-mse';
import { cosineEmbeddingLoss } from './cosine-embedding-loss';
import { hiddenMse } from './hidden-mse';
import { kdCrossEntropy } from './kd-cross-entropy';
import { kdKlDivergence } from './kd-kl-divergence';
import { pkdLoss } from './pkd-loss';
import { valueRelationKl } from './value-relation-kl';

function scalar(value: tf.Scalar): number {
  const result = value.dataSync()[0];
  value.dispose();
  return result;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('two-class KD worked by hand', () => {
  // teacher logits [0, ln 3] → p = [1/4, 3/4]; student logits [0, 0] → q = [1/2, 1/2].
  const teacher = () => tf.tensor2d([[0, Math.log(3)]]);
  const student = () => tf.tensor2d([[0, 0]]);

  it('KL(p ‖ q) = 1/4·ln(1/2) + 3/4·ln(3/2)', () => {
    const expected = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5); // 0.130812…
    expect(scalar(kdKlDivergence(student(), teacher()))).toBeCloseTo(expected, 6);
  });

  it('the cross-entropy is −Σ p·ln q = ln 2 here', () => {
    expect(scalar(kdCrossEntropy(student(), teacher()))).toBeCloseTo(Math.LN2, 6);
  });

  it('the gradient of T²·KL with respect to the student logits is T·(q − p)', () => {
    // At T = 2 the softmaxes are of [0, ln3/2] and [0, 0]: p = [1, √3]/(1 + √3), q = [1/2, 1/2].
    const p1 = Math.sqrt(3) / (1 + Math.sqrt(3));
    const gradient = tf.grad((input: tf.Tensor) => kdKlDivergence(input, teacher(), { temperature: 2 }))(student());
    const values = Array.from(gradient.dataSync());
    expect(values[0]).toBeCloseTo(2 * (0.5 - (1 - p1)), 6);
    expect(values[1]).toBeCloseTo(2 * (0.5 - p1), 6);
  });

  it('KL of equal distributions is 0 at any temperature', () => {
    const logits = tf.tensor2d([[1.5, -2, 0.25], [3, 3, -1]]);
    for (const temperature of [0.5, 1, 2, 8]) {
      expect(Math.abs(scalar(kdKlDivergence(logits, logits, { temperature })))).toBeLessThan(1e-6);
    }
  });

  it('a masked row does not count: only the unmasked row is averaged', () => {
    const teacherRows = tf.tensor3d([[[0, Math.log(3)], [5, -5]]]);
    const studentRows = tf.tensor3d([[[0, 0], [-5, 5]]]);
    const loss = kdKlDivergence(studentRows, teacherRows, { mask: tf.tensor2d([[1, 0]]) });
    expect(scalar(loss)).toBeCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 6);
  });
});

describe('attention, hidden and embedding losses worked by hand', () => {
  it('attentionKl: a zero teacher probability contributes 0, a zero student probability a finite penalty', () => {
    const student = tf.tensor4d([[[[0.5, 0.5]]]]);
    const teacher = tf.tensor4d([[[[1, 0]]]]);
    expect(scalar(attentionKl(student, teacher))).toBeCloseTo(Math.LN2, 6);
    const reversed = scalar(attentionKl(teacher, student));
    expect(Number.isFinite(reversed)).toBe(true);
    expect(reversed).toBeCloseTo(0.5 * Math.log(0.5) + 0.5 * Math.log(0.5 / 1e-12), 3);
  });

  it('hiddenMse divides by unmasked positions × hidden', () => {
    const student = tf.tensor3d([[[1, 2], [30, 40]]]);
    const teacher = tf.zeros([1, 2, 2]);
    expect(scalar(hiddenMse(student, teacher, { mask: tf.tensor2d([[1, 0]]) }))).toBeCloseTo((1 + 4) / 2, 6);
  });

  it('attentionMse keeps only pairs of unmasked positions', () => {
    const student = tf.tensor4d([[[[3, 100], [100, 100]]]]);
    const teacher = tf.tensor4d([[[[1, 0], [0, 0]]]]);
    expect(scalar(attentionMse(student, teacher, { mask: tf.tensor2d([[1, 0]]) }))).toBeCloseTo(4, 6);
    expect(scalar(attentionMse(student, teacher))).toBeCloseTo((4 + 3 * 100 * 100) / 4, 2);
  });

  it('attentionMse counts additive-mask scores (−3.4e38) as 0 instead of overflowing', () => {
    const masked = -3.4e38;
    const student = tf.tensor4d([[[[2, masked], [1, masked]]]]);
    const teacher = tf.tensor4d([[[[0, masked], [0, 5]]]]);
    expect(scalar(attentionMse(student, teacher))).toBeCloseTo((4 + 0 + 1 + 25) / 4, 5);
  });

  it('cosineEmbeddingLoss: 0 for parallel, 1 for orthogonal, 2 for opposite, 1 with a zero vector', () => {
    const student = tf.tensor2d([[1, 0], [1, 0], [1, 0], [0, 0]]);
    const teacher = tf.tensor2d([[2, 0], [0, 1], [-2, 0], [1, 1]]);
    expect(scalar(cosineEmbeddingLoss(student, teacher))).toBeCloseTo((0 + 1 + 2 + 1) / 4, 6);
    const gradient = tf.grad((input: tf.Tensor) => cosineEmbeddingLoss(input, teacher))(student);
    expect(Array.from(gradient.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('pkdLoss compares the L2-normalised [CLS] vectors: [3, 4] vs [4, 3]', () => {
    const student = tf.tensor3d([[[3, 4], [9, 9]]]);
    const teacher = tf.tensor3d([[[4, 3], [-9, 1]]]);
    // [0.6, 0.8] − [0.8, 0.6] → 0.04 + 0.04; position 1 is ignored.
    expect(scalar(pkdLoss(student, teacher))).toBeCloseTo(0.08, 6);
  });

  it('valueRelationKl is 0 for equal relations, even across head dimensions', () => {
    // c·[V, 0] has c²·V·Vᵀ; dividing by √4 instead of √2 matches when c² = √2, c = 2^(1/4).
    const narrow = tf.tensor4d([[[[1, 0], [0.5, -1], [2, 1]]]]);
    const wide = tf.mul(tf.concat([narrow, tf.zeros([1, 1, 3, 2])], 3), 2 ** 0.25);
    expect(Math.abs(scalar(valueRelationKl(narrow, wide)))).toBeLessThan(1e-6);
    expect(scalar(valueRelationKl(narrow, wide, { mask: tf.tensor2d([[0, 0, 0]]) }))).toBe(0);
  });
});
