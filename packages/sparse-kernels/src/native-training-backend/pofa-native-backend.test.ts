import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../kernels/native-addon';
import { randomValues, seededRandom } from '../test-support/random-data';
import { broadcastLayout } from './elementwise-kernels';
import { transposeLayout } from './layout-kernels';
import { POFA_NATIVE_BACKEND, registerPofaNativeBackend } from './register-pofa-native-backend';
import { hasTrainingKernels } from './training-addon';

const { addon } = loadNativeAddon();
const native = addon !== undefined && hasTrainingKernels(addon);

interface Input {
  shape: number[];
  values: Float32Array;
}

/** Runs `compute` on fresh copies of `inputs` on `backend`; returns every output's shape and values. */
async function run(backend: string, inputs: Input[], compute: (...tensors: tf.Tensor[]) => tf.Tensor[]): Promise<Array<{ shape: number[]; values: Float32Array }>> {
  await initBackend({ backend });
  const before = tf.memory().numTensors;
  const tensors = inputs.map(({ shape, values }) => tf.tensor(values, shape));
  const outputs = tf.tidy(() => compute(...tensors));
  const result = outputs.map((output) => ({ shape: output.shape, values: output.dataSync() as Float32Array }));
  tf.dispose([...tensors, ...outputs]);
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/**
 * The outputs of `compute` on pofa-native equal those on tfjs's cpu backend (the reference)
 * in shape and, to `tolerance` relative to the largest magnitude, in value.
 */
async function expectSameAsCpu(inputs: Input[], compute: (...tensors: tf.Tensor[]) => tf.Tensor[], tolerance = 1e-5): Promise<void> {
  const reference = await run('cpu', inputs, compute);
  const candidate = await run(POFA_NATIVE_BACKEND, inputs, compute);
  expect(candidate.map((output) => output.shape)).toEqual(reference.map((output) => output.shape));
  reference.forEach((expected, index) => {
    const scale = Math.max(1, ...Array.from(expected.values, Math.abs));
    const worst = Math.max(0, ...Array.from(expected.values, (value, i) => Math.abs(value - candidate[index].values[i])));
    expect(worst / scale, `output ${index}`).toBeLessThan(tolerance);
  });
}

const random = seededRandom(42);
const input = (...shape: number[]): Input => ({ shape, values: randomValues(random, shape.reduce((a, b) => a * b, 1)) });

/** Gradients of sum(f(...inputs) · weights) with respect to every input, plus the value. */
function withGradients(f: (...tensors: tf.Tensor[]) => tf.Tensor) {
  return (...tensors: tf.Tensor[]): tf.Tensor[] => {
    const value = f(...tensors);
    const weights = tf.sin(tf.reshape(tf.range(0, value.size), value.shape));
    const gradients = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)))(tensors);
    weights.dispose();
    return [value, ...gradients];
  };
}

describe.runIf(native)('the pofa-native backend', () => {
  beforeAll(() => {
    expect(registerPofaNativeBackend()).toBe(true);
  });

  it('is preferred over wasm by initBackend() once registered', async () => {
    const name = await initBackend();
    expect(['tensorflow', POFA_NATIVE_BACKEND]).toContain(name);
    expect(registerPofaNativeBackend()).toBe(true);
  });

  it.each([
    ['2-D', [5, 7], [7, 3], false, false],
    ['2-D, a transposed', [7, 5], [7, 3], true, false],
    ['2-D, b transposed', [5, 7], [3, 7], false, true],
    ['2-D, both transposed, sizes past one GEMM block', [301, 97], [270, 301], true, true],
    ['batched', [3, 13, 17], [3, 17, 29], false, false],
    ['batched, b broadcast', [2, 3, 13, 17], [17, 29], false, false],
    ['batched, a broadcast and transposed', [1, 17, 13], [4, 29, 17], true, true],
    ['empty inner dimension', [4, 0], [0, 3], false, false],
  ] as Array<[string, number[], number[], boolean, boolean]>)('matMul (%s) and its gradients match the cpu backend', async (_name, aShape, bShape, transposeA, transposeB) => {
    const product = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, transposeA, transposeB);
    // tfjs's BatchMatMul gradient does not sum over broadcast batch dimensions (on any backend),
    // so broadcast cases compare the forward only.
    const broadcast = aShape.length !== bShape.length || aShape[0] !== bShape[0];
    await expectSameAsCpu([input(...aShape), input(...bShape)], broadcast ? (a, b) => [product(a, b)] : withGradients(product));
  });

  it.each(['linear', 'relu', 'sigmoid', 'leakyrelu', 'prelu'] as const)('fused matMul with a bias and %s activation matches the cpu backend', async (activation) => {
    const alpha = input(11);
    await expectSameAsCpu([input(2, 6, 9), input(11, 9), input(11)], (a, b, bias) => {
      const preluActivationWeights = activation === 'prelu' ? tf.tensor(alpha.values, alpha.shape) : undefined;
      const out = tf.fused.matMul({ a, b, transposeB: true, bias, activation, preluActivationWeights, leakyreluAlpha: 0.3 });
      preluActivationWeights?.dispose();
      return [out];
    });
    // A bias that broadcasts over rows too goes through the backend's Add.
    await expectSameAsCpu([input(6, 9), input(9, 4), input(6, 1)], (a, b, bias) => [tf.fused.matMul({ a, b, bias })]);
  });

  it.each([
    ['same shapes', [4, 5, 6], [4, 5, 6]],
    ['trailing bias', [4, 5, 6], [6]],
    ['keep-dims row statistic', [4, 5, 6], [4, 5, 1]],
    ['attention mask', [2, 3, 5, 5], [2, 1, 1, 5]],
    ['scalar on the left', [], [3, 7]],
    ['both broadcast', [3, 1, 4], [1, 5, 1]],
  ] as Array<[string, number[], number[]]>)('add, sub, mul and div (%s) and their gradients match the cpu backend', async (_name, aShape, bShape) => {
    const b = input(...bShape);
    b.values = b.values.map((value) => (value >= 0 ? value + 0.5 : value - 0.5)); // keep divisors away from 0
    for (const op of [tf.add, tf.sub, tf.mul, tf.div]) await expectSameAsCpu([input(...aShape), b], withGradients((x, y) => op(x, y)));
  });

  it('leaves int32 arithmetic to the cpu kernels', async () => {
    await initBackend({ backend: POFA_NATIVE_BACKEND });
    const sum = tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32'));
    expect(sum.dtype).toBe('int32');
    expect(Array.from(sum.dataSync())).toEqual([4, 6]);
    sum.dispose();
  });

  it('softmax, erf and the exact GELU, with gradients, match the cpu backend', async () => {
    const wide = input(3, 4, 257);
    wide.values = wide.values.map((value) => value * 20);
    await expectSameAsCpu([wide], withGradients((x) => tf.softmax(x)));
    await expectSameAsCpu([input(3, 1)], withGradients((x) => tf.softmax(x)));
    const spread = input(5, 301);
    spread.values = spread.values.map((value) => value * 5);
    await expectSameAsCpu([spread], withGradients((x) => tf.mul(tf.mul(x, tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)), 0.5)));
  });
});

describe.runIf(native)('the pofa-native backend (reductions, layout, unary)', () => {
  beforeAll(() => {
    expect(registerPofaNativeBackend()).toBe(true);
  });

  it.each([
    ['trailing axis', [4, 6, 33], -1, false],
    ['leading axes (a bias gradient)', [4, 6, 33], [0, 1], false],
    ['middle axis, keepDims', [4, 6, 33], 1, true],
    ['every axis', [4, 6, 33], undefined, false],
    ['non-contiguous axes (cpu fallback)', [4, 6, 33], [0, 2], true],
  ] as Array<[string, number[], number | number[] | undefined, boolean]>)('sum and max over the %s match the cpu backend', async (_name, shape, axis, keepDims) => {
    await expectSameAsCpu([input(...shape)], withGradients((x) => tf.sum(x, axis, keepDims)));
    await expectSameAsCpu([input(...shape)], (x) => [tf.max(x, axis, keepDims)]);
  });

  it.each([
    [[2, 5, 3, 7], [0, 2, 1, 3]],
    [[37, 19], [1, 0]],
    [[2, 3, 4], [2, 0, 1]],
    [[1, 5, 1, 6], [3, 2, 1, 0]],
  ])('transpose of %j by %j, with its gradient, matches the cpu backend', async (shape, perm) => {
    await expectSameAsCpu([input(...shape)], withGradients((x) => tf.transpose(x, perm)));
  });

  it('unsortedSegmentSum (the embedding gradient) sums rows per id and drops out-of-range ids', async () => {
    const ids = [3, 0, 3, 7, -1, 2];
    await expectSameAsCpu([input(6, 5)], (x) => {
      const segmentIds = tf.tensor1d(ids, 'int32');
      const out = tf.unsortedSegmentSum(x, segmentIds, 5);
      segmentIds.dispose();
      return [out];
    });
    await expectSameAsCpu([input(9, 4)], withGradients((table) => {
      const indices = tf.tensor1d([8, 0, 8, 3], 'int32');
      const out = tf.gather(table, indices);
      indices.dispose();
      return out;
    }));
  });

  it('exp, log, sqrt, rsqrt, square and neg, with gradients, match the cpu backend', async () => {
    const positive = input(7, 41);
    positive.values = positive.values.map((value) => Math.abs(value) + 0.1);
    for (const op of [tf.exp, tf.log, tf.sqrt, tf.rsqrt, tf.square, tf.neg]) await expectSameAsCpu([positive], withGradients((x) => op(x)));
  });

  it('multiplies with denormals flushed to zero (their slow path cost 4-5x on BERT-Base) and leaves JavaScript\'s float mode as it was', async () => {
    await initBackend({ backend: POFA_NATIVE_BACKEND });
    const denormal = 1e-39; // below float32's smallest normal, 1.18e-38
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([denormal, 1, 2, 3], [2, 2]), tf.eye(2)).dataSync());
    expect(Array.from(product)).toEqual([0, 1, 2, 3]);
    // JavaScript's arithmetic still keeps denormals after the kernel ran (its MXCSR was restored).
    const values = new Float64Array([Number.MIN_VALUE, 3]);
    expect(values[0] * values[1]).toBeGreaterThan(0);
    expect(Math.fround(denormal * Number(values[1] - 2))).toBeGreaterThan(0);
  });

  it('comparisons, logicalAnd and casts to float32 match the cpu backend, and a cast mask is stored as a Float32Array', async () => {
    const x = input(5, 37);
    const y = input(5, 37);
    // Ties, so that >= and <= differ from > and <, and exact zeros for notEqual.
    for (let i = 0; i < 40; i++) y.values[i] = x.values[i];
    for (let i = 40; i < 60; i++) x.values[i] = 0;
    const asFloat = (t: tf.Tensor) => tf.cast(t, 'float32');
    const comparisons = [tf.greater, tf.greaterEqual, tf.less, tf.lessEqual, tf.equal, tf.notEqual];
    for (const op of comparisons) {
      await expectSameAsCpu([x, y], (a, b) => [asFloat(op(a, b)), asFloat(op(a, tf.scalar(0.1))), asFloat(op(tf.scalar(-0.2), b)), asFloat(op(a, tf.slice(b, [0, 0], [1, 37])))], 1e-12);
    }
    await expectSameAsCpu([x, y], (a, b) => [asFloat(tf.logicalAnd(tf.greaterEqual(a, -0.5), tf.lessEqual(b, 0.5))), tf.cast(tf.cast(a, 'int32'), 'float32')], 1e-12);
    await initBackend({ backend: POFA_NATIVE_BACKEND });
    const mask = tf.tidy(() => tf.cast(tf.notEqual(tf.tensor(x.values, x.shape), 0), 'float32'));
    const stored = (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(mask.dataId).values;
    expect(stored).toBeInstanceOf(Float32Array);
    expect(Array.from(mask.dataSync()).filter((value) => value === 0)).toHaveLength(20);
    mask.dispose();
  });
});

describe('broadcastLayout', () => {
  it('merges dimensions both operands step through alike and zeroes broadcast strides', () => {
    expect(broadcastLayout([2, 3, 4], [4])).toEqual({ shape: [6, 4], aStrides: [4, 1], bStrides: [0, 1] });
    expect(broadcastLayout([2, 3, 4], [2, 3, 4])).toEqual({ shape: [24], aStrides: [1], bStrides: [1] });
    expect(broadcastLayout([2, 1, 1, 5], [2, 3, 5, 5])).toEqual({ shape: [2, 15, 5], aStrides: [5, 0, 1], bStrides: [75, 5, 1] });
    expect(broadcastLayout([4, 5, 1], [4, 5, 6])).toEqual({ shape: [20, 6], aStrides: [1, 0], bStrides: [6, 1] });
    expect(() => broadcastLayout([2, 3], [4, 3])).toThrow();
  });
});

describe('transposeLayout', () => {
  it('gives the input stride of each output dimension, merging runs that stay contiguous', () => {
    expect(transposeLayout([2, 3, 4, 5], [0, 2, 1, 3])).toEqual({ shape: [2, 4, 3, 5], strides: [60, 5, 20, 1] });
    expect(transposeLayout([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], strides: [1] });
    expect(transposeLayout([2, 3, 4], [1, 2, 0])).toEqual({ shape: [12, 2], strides: [1, 12] });
    expect(transposeLayout([1, 5, 1], [2, 1, 0])).toEqual({ shape: [5], strides: [1] });
  });
});
