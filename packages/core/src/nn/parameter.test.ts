import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createMaskTransform } from './mask-transform';
import { Parameter } from './parameter';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('Parameter', () => {
  it('applies a mask so masked entries have zero value and zero gradient', () => {
    const parameter = new Parameter(tf.tensor2d([[1, 2], [3, 4]]));
    parameter.addTransform(createMaskTransform(tf.tensor2d([[1, 0], [0, 1]])));
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(parameter.value())) as tf.Scalar, [parameter.variable]);
    expect(Array.from(parameter.value().dataSync())).toEqual([1, 0, 0, 4]);
    expect(Array.from(grads[parameter.variable.name].dataSync())).toEqual([2, 0, 0, 8]);
    parameter.squash();
    expect(parameter.transforms).toHaveLength(0);
    expect(Array.from(parameter.variable.dataSync())).toEqual([1, 0, 0, 4]);
    parameter.dispose();
  });
});
