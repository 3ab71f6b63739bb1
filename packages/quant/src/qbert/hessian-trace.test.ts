import { Module, Parameter, createMaskTransform, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateHessianTraces } from './hessian-trace';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** Two weight vectors and a quadratic loss ½aᵀAa + ½bᵀBb + c·Σᵢ a_i b_i (i < 3), so H is known. */
class Quadratic extends Module {
  readonly a = this.addParameter('a', new Parameter(tf.tensor1d([0.5, -1, 2, 0.3])));
  readonly b = this.addParameter('b', new Parameter(tf.tensor1d([1, -0.4, 0.8])));
}

const A = [1, 2, 3, 4]; // diagonal: Tr = 10
const B = [
  [2, 1, 0],
  [1, 3, 0.5],
  [0, 0.5, 5],
]; // Tr = 10

function quadraticLoss(cross: number) {
  return (model: Module): tf.Scalar =>
    tf.tidy(() => {
      const { a, b } = model as Quadratic;
      const aValue = a.value();
      const bValue = b.value();
      const aPart = tf.sum(tf.mul(tf.tensor1d(A), tf.square(aValue)));
      const bPart = tf.sum(tf.mul(tf.matMul(tf.reshape(bValue, [1, 3]), tf.tensor2d(B)), tf.reshape(bValue, [1, 3])));
      const crossPart = tf.sum(tf.mul(tf.slice(aValue, [0], [3]), bValue));
      return tf.add(tf.mul(tf.add(aPart, bPart), 0.5), tf.mul(crossPart, cross)) as tf.Scalar;
    });
}

const targets = { include: ['a', 'b'] };

describe('estimateHessianTraces', () => {
  it('gives Tr(A) exactly on every sample when the block is diagonal and uncoupled', () => {
    const model = new Quadratic();
    const [a] = estimateHessianTraces(model, { loss: quadraticLoss(0), targets: { include: ['a'] }, samples: 5, seed: 3 });
    expect(a.name).toBe('a');
    expect(a.parameterCount).toBe(4);
    for (const sample of a.samples) expect(sample).toBeCloseTo(10, 2);
    expect(a.trace).toBeCloseTo(10, 2);
    expect(a.standardError).toBeLessThan(1e-2);
  });

  it('is unbiased for a coupled, non-diagonal Hessian (within 4 standard errors of the hand-worked variance)', () => {
    const model = new Quadratic();
    const samples = 400;
    const [a, b] = estimateHessianTraces(model, { loss: quadraticLoss(0.7), targets, samples, seed: 11 });
    // Layer a: vᵀAv = Tr(A) exactly; the cross term 0.7·Σ_{i<3} v_a,i v_b,i has variance 3·0.49.
    expect(Math.abs(a.trace - 10)).toBeLessThan(4 * Math.sqrt(1.47 / samples));
    // Layer b: 2Σ_{i<j} B_ij v_i v_j has variance 4·(1² + 0.5²) = 5, plus the same cross term.
    expect(Math.abs(b.trace - 10)).toBeLessThan(4 * Math.sqrt(6.47 / samples));
    // The sample variance matches the hand-worked one.
    expect((b.standardError ** 2) * samples).toBeGreaterThan(6.47 * 0.7);
    expect((b.standardError ** 2) * samples).toBeLessThan(6.47 * 1.3);
  });

  it('differentiates through weight transforms: masked entries have no curvature', () => {
    const model = new Quadratic();
    model.a.addTransform(createMaskTransform(tf.tensor1d([1, 0, 1, 0])));
    const [a] = estimateHessianTraces(model, { loss: quadraticLoss(0), targets: { include: ['a'] }, samples: 3 });
    expect(a.trace).toBeCloseTo(1 + 3, 2);
  });

  it('restores every weight bit-exactly, the mode, and leaks no tensor', () => {
    const model = new Quadratic();
    const before = [model.a.variable.dataSync().slice(), model.b.variable.dataSync().slice()];
    model.train();
    const tensors = tf.memory().numTensors;
    estimateHessianTraces(model, { loss: quadraticLoss(0.7), targets, samples: 4, epsilon: 0.01 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(model.training).toBe(true);
    expect(Array.from(model.a.variable.dataSync())).toEqual(Array.from(before[0]));
    expect(Array.from(model.b.variable.dataSync())).toEqual(Array.from(before[1]));
  });

  it('is reproducible for a seed', () => {
    const first = estimateHessianTraces(new Quadratic(), { loss: quadraticLoss(0.7), targets, samples: 6, seed: 5 });
    const second = estimateHessianTraces(new Quadratic(), { loss: quadraticLoss(0.7), targets, samples: 6, seed: 5 });
    expect(second.map((estimate) => estimate.samples)).toEqual(first.map((estimate) => estimate.samples));
  });

  it('rejects invalid options', () => {
    expect(() => estimateHessianTraces(new Quadratic(), { loss: quadraticLoss(0), targets, samples: 0 })).toThrow(/Invalid Hessian trace options/);
  });
});
