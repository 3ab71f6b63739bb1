import { ConfigError, createRandom, initBackend, ShapeError, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProjection } from './create-projection';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function withWeights(activation: 'linear' | 'relu' | 'tanh') {
  const projection = createProjection(2, 3, { activation });
  // weight [teacherDim, studentDim] = [[1, 0], [0, 1], [1, -1]], bias [0, 0.5, 0]
  projection.loadStateDict({
    'linear.weight': tf.tensor2d([[1, 0], [0, 1], [1, -1]]),
    'linear.bias': tf.tensor1d([0, 0.5, 0]),
  });
  return projection;
}

describe('createProjection', () => {
  it('maps [..., studentDim] to [..., teacherDim] as x·Wᵀ + b, worked by hand', () => {
    const projection = withWeights('linear');
    const output = projection.forward(tf.tensor3d([[[1, 2], [-3, 1]]]));
    expect(output.shape).toEqual([1, 2, 3]);
    // [1, 2] → [1, 2.5, -1]; [-3, 1] → [-3, 1.5, -4]
    expect(Array.from(output.dataSync())).toEqual([1, 2.5, -1, -3, 1.5, -4]);
  });

  it('applies relu or tanh after the linear map', () => {
    const input = tf.tensor2d([[1, 2]]);
    expect(Array.from(withWeights('relu').forward(input).dataSync())).toEqual([1, 2.5, 0]);
    const tanh = Array.from(withWeights('tanh').forward(input).dataSync());
    [1, 2.5, -1].forEach((value, index) => expect(tanh[index]).toBeCloseTo(Math.tanh(value), 6));
  });

  it('is a module whose parameters train: the loss gradient reaches linear.weight and linear.bias', () => {
    const projection = createProjection(4, 6, { random: createRandom(3), std: 0.5 });
    expect(projection.namedParameters().map(([name]) => name)).toEqual(['linear.weight', 'linear.bias']);
    expect(projection.parameterCount()).toBe(4 * 6 + 6);
    const input = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 7);
    const target = tf.zeros([2, 3, 6]);
    const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(projection.forward(input), target))) as tf.Scalar);
    const names = Object.keys(grads);
    expect(names).toContain(projection.linear.weight.variable.name);
    expect(names).toContain(projection.linear.bias?.variable.name);
    const norm = tf.sum(tf.abs(grads[projection.linear.weight.variable.name])).dataSync()[0];
    expect(norm).toBeGreaterThan(0);
  });

  it('rejects bad sizes and activations, and inputs of the wrong width', () => {
    expect(() => createProjection(0, 768)).toThrow(ConfigError);
    expect(() => createProjection(312, 7.5)).toThrow(/teacherDim/);
    expect(() => createProjection(2, 3, { activation: 'gelu' as 'relu' })).toThrow(ConfigError);
    expect(() => createProjection(2, 3).forward(tf.zeros([1, 4]))).toThrow(ShapeError);
  });
});
