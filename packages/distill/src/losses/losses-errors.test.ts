import { ConfigError, initBackend, ShapeError, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionKl } from './attention-kl';
import { attentionMse } from './attention-mse';
import { hiddenMse } from './hidden-mse';
import { kdCrossEntropy } from './kd-cross-entropy';
import { kdKlDivergence } from './kd-kl-divergence';
import { pkdLoss } from './pkd-loss';
import { valueRelationKl } from './value-relation-kl';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('loss input validation', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects temperature %s with a ConfigError naming it', (temperature) => {
    const logits = tf.zeros([2, 3]);
    for (const loss of [kdKlDivergence, kdCrossEntropy]) {
      const error = thrown(() => loss(logits, logits, { temperature }));
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('temperature');
    }
  });

  it('rejects mismatched shapes with a ShapeError naming both arguments', () => {
    const error = thrown(() => hiddenMse(tf.zeros([2, 4, 8]), tf.zeros([2, 4, 16])));
    expect(ShapeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('studentHidden');
    expect((error as ShapeError).hint).toContain('createProjection');
  });

  it('rejects a mask of the wrong shape with a ShapeError naming the mask', () => {
    const logits = tf.zeros([2, 3, 5]);
    const error = thrown(() => kdKlDivergence(logits, logits, { mask: tf.ones([2, 4]) }));
    expect(ShapeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('mask');
    expect((error as ShapeError).expected).toContain('[2, 3]');
    const scores = tf.zeros([2, 1, 3, 3]);
    expect(ShapeError.isInstance(thrown(() => attentionMse(scores, scores, { mask: tf.ones([3, 3]) })))).toBe(true);
  });

  it('rejects attention maps that are not [batch, heads, seq, seq]', () => {
    const error = thrown(() => attentionKl(tf.zeros([2, 3, 3]), tf.zeros([2, 3, 3])));
    expect(ShapeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('studentProbabilities');
  });

  it('valueRelationKl accepts different head dimensions but not different heads', () => {
    expect(() => valueRelationKl(tf.zeros([1, 2, 3, 4]), tf.zeros([1, 2, 3, 8])).dispose()).not.toThrow();
    const error = thrown(() => valueRelationKl(tf.zeros([1, 2, 3, 4]), tf.zeros([1, 4, 3, 4])));
    expect(ShapeError.isInstance(error)).toBe(true);
  });

  it('pkdLoss rejects a rank it cannot take the [CLS] vector from', () => {
    expect(ShapeError.isInstance(thrown(() => pkdLoss(tf.zeros([4]), tf.zeros([4]))))).toBe(true);
  });

  it('leaks no tensor when it throws', () => {
    const logits = tf.zeros([2, 3]);
    const before = tf.memory().numTensors;
    thrown(() => kdKlDivergence(logits, tf.zeros([2, 4])));
    expect(tf.memory().numTensors).toBe(before + 1);
  });
});
