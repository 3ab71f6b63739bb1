import { ConfigError, ShapeError, initBackend, tf } from '@pofa/core';
import { leakedTensors } from '@pofa/core/testing';
import { describePruningMethodConformance } from '@pofa/core/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { movementPruning } from './movement-pruning';

// The contract every pruning method meets. Without movement scores the method ranks by |w|,
// so the suite's magnitude check applies too.
describePruningMethodConformance(movementPruning, { options: { sparsity: 0.9 }, magnitude: true, backend: 'cpu' });

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function maskOf(weight: number[][], sparsity: number, importance?: number[][]): number[][] {
  return tf.tidy(() => {
    const context = importance === undefined ? undefined : { importance: tf.tensor2d(importance) };
    return movementPruning.computeMask(tf.tensor2d(weight), { sparsity }, context).arraySync() as number[][];
  });
}

describe('movementPruning', () => {
  const weight = [
    [0.1, -2],
    [3, -0.05],
  ];

  it('keeps the largest movement scores, not the largest weights', () => {
    // scores 4, -1, 0.5, 2: the two lowest (-1 at [0,1], 0.5 at [1,0]) go, whatever |w| says
    expect(maskOf(weight, 0.5, [[4, -1], [0.5, 2]])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it('ranks signed scores: a large negative score (moving to zero) is pruned first', () => {
    // floor(0.25 * 4) = 1 weight pruned: the one with score -10, although |-10| is the largest
    expect(maskOf(weight, 0.25, [[-10, 1], [2, 3]])).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  it('falls back to magnitude without scores', () => {
    expect(maskOf(weight, 0.5)).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('breaks ties by position, pruning exactly floor(sparsity * count)', () => {
    // six equal scores at sparsity 0.5: the first three positions go
    const mask = tf.tidy(() =>
      movementPruning.computeMask(tf.ones([2, 3]), { sparsity: 0.5 }, { importance: tf.zeros([2, 3]) }).arraySync(),
    );
    expect(mask).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
  });

  it('rejects scores of another shape or with non-finite entries', () => {
    tf.tidy(() => {
      const w = tf.ones([2, 2]);
      expect(() => movementPruning.computeMask(w, { sparsity: 0.5 }, { importance: tf.ones([4]) })).toThrow(ShapeError);
      const nan = tf.tensor2d([[1, Number.NaN], [0, 2]]);
      expect(() => movementPruning.computeMask(w, { sparsity: 0.5 }, { importance: nan })).toThrow(ConfigError);
    });
  });

  it('leaks no tensors when given scores', () => {
    const w = tf.tensor2d(weight);
    const importance = tf.tensor2d([[4, -1], [0.5, 2]]);
    expect(leakedTensors(() => movementPruning.computeMask(w, { sparsity: 0.5 }, { importance }))).toBe(0);
    expect(importance.isDisposed).toBe(false);
    tf.dispose([w, importance]);
  });
});
