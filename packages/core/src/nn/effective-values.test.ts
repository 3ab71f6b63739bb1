import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { effectiveValues } from './effective-values';
import { initNormal } from './init';
import { createMaskTransform } from './mask-transform';
import { Parameter } from './parameter';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('effectiveValues', () => {
  it('copies the effective weight and leaks no tensor', () => {
    const parameter = new Parameter(tf.tensor2d([[1, 2], [3, 4]]));
    const before = tf.memory().numTensors;
    const raw = effectiveValues(parameter);
    raw[0] = 9;
    expect(Array.from(parameter.variable.dataSync())).toEqual([1, 2, 3, 4]);
    parameter.addTransform(createMaskTransform(tf.tensor2d([[1, 0], [0, 1]])));
    const masked = effectiveValues(parameter);
    expect(masked).toBeInstanceOf(Float32Array);
    expect(Array.from(masked)).toEqual([1, 0, 0, 4]);
    expect(tf.memory().numTensors).toBe(before + 1); // the mask
    parameter.dispose();
  });

  it('reads a weight of more than 2^24 values (where tf.tidy returning the array throws)', () => {
    const parameter = new Parameter(tf.fill([1 << 12, (1 << 12) + 1], 0.5));
    const values = effectiveValues(parameter);
    expect(values.length).toBe((1 << 24) + (1 << 12));
    expect(values[values.length - 1]).toBe(0.5);
    parameter.dispose();
  });
});

describe('initNormal', () => {
  it('with zeros: true fills zeros and draws nothing', () => {
    const random = createRandom(3);
    const state = random.state();
    const weight = initNormal([3, 4], { random, zeros: true });
    expect(Array.from(weight.dataSync())).toEqual(new Array(12).fill(0));
    expect(random.state()).toEqual(state);
    weight.dispose();
  });
});
