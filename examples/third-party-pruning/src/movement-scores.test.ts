import { ShapeError, initBackend, tf } from '@pofa/core';
import { leakedTensors } from '@pofa/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { accumulateMovementScores } from './movement-scores';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('accumulateMovementScores', () => {
  it('adds -W * dL/dW each step (worked by hand)', () => {
    const weight = tf.tensor1d([1, -2, 0.5]);
    const first = accumulateMovementScores(undefined, weight, tf.tensor1d([0.5, 0.5, -4]));
    // -[1*0.5, -2*0.5, 0.5*-4] = [-0.5, 1, 2]
    expect(Array.from(first.dataSync())).toEqual([-0.5, 1, 2]);
    const second = accumulateMovementScores(first, tf.tensor1d([2, -1, 1]), tf.tensor1d([1, -1, 0]));
    // [-0.5, 1, 2] - [2*1, -1*-1, 1*0] = [-2.5, 0, 2]
    expect(Array.from(second.dataSync())).toEqual([-2.5, 0, 2]);
    expect(first.isDisposed).toBe(false);
    tf.dispose([weight, first, second]);
  });

  it('rejects a gradient or previous scores of another shape', () => {
    tf.tidy(() => {
      const weight = tf.ones([2, 2]);
      expect(() => accumulateMovementScores(undefined, weight, tf.ones([4]))).toThrow(ShapeError);
      expect(() => accumulateMovementScores(tf.ones([2, 3]), weight, tf.ones([2, 2]))).toThrow(ShapeError);
    });
  });

  it('leaks no tensors', () => {
    const [previous, weight, gradient] = [tf.ones([3, 4]), tf.ones([3, 4]), tf.ones([3, 4])];
    expect(leakedTensors(() => accumulateMovementScores(previous, weight, gradient))).toBe(0);
    tf.dispose([previous, weight, gradient]);
  });
});
