import { BackendError, initBackend, ShapeError, tf } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packWeight } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { unpackWeight } from '../formats/unpack-weight';
import { createPortableKernels } from '../kernels/portable-kernels';
import { loadKernels } from '../kernels/load-kernels';
import { referenceKernels } from '../kernels/reference';
import { randomMask, randomValues, seededRandom } from '../test-support/random-data';
import { createSparseMatMulKernels, registerSparseMatMulKernels } from './sparse-mat-mul-kernels';
import { SPARSE_MAT_MUL, sparseMatMul } from './sparse-mat-mul';

const [tokens, rows, cols] = [7, 13, 21];
const random = seededRandom(42);
const weight = randomValues(random, rows * cols);
const input = randomValues(random, tokens * cols);
const bias = randomValues(random, rows);
const packed = packWeight(weight, rows, cols, { format: 'block', mask: randomMask(random, rows, cols, 0.9, 'block4x1') });

beforeAll(() => {
  registerSparseMatMulKernels({ kernels: loadKernels() });
});
afterAll(() => {
  for (const backend of ['cpu', 'wasm']) tf.unregisterKernel(SPARSE_MAT_MUL, backend);
});

describe.each(['cpu', 'wasm'] as const)('sparseMatMul on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('equals tf.matMul with the dense weight, plus bias', async () => {
    const x = tf.tensor2d(input, [tokens, cols]);
    const dense = tf.tensor2d(unpackWeight(packed), [rows, cols]);
    const b = tf.tensor1d(bias);
    const before = tf.memory().numTensors;
    const actual = sparseMatMul(x, packed, b);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(actual.shape).toEqual([tokens, rows]);
    const expected = tf.add(tf.matMul(x, dense, false, true), b);
    const [got, want] = [await actual.data(), await expected.data()];
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, dense, b, actual, expected]);
  });

  it('runs int8 weights and fused GELU like the reference kernels', async () => {
    const int8 = quantizeWeightInt8(packed);
    const x = tf.tensor2d(input, [tokens, cols]);
    const actual = sparseMatMul(x, int8, undefined, { gelu: true });
    const expected = referenceKernels.linear(input, tokens, int8, undefined, { gelu: true });
    const got = await actual.data();
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, actual]);
  });

  it('rejects an input that does not fit the weight', () => {
    const x = tf.zeros([2, cols + 1]) as tf.Tensor2D;
    expect(() => sparseMatMul(x, packed)).toThrow(ShapeError);
    x.dispose();
  });
});

describe('registration', () => {
  it('exposes named kernel configs for cpu and wasm and skips backends that have the kernel', () => {
    const specs = createSparseMatMulKernels(createPortableKernels());
    expect(specs.map((spec) => [spec.name, spec.backendName])).toEqual([
      ['pofa/sparse-mat-mul-cpu', 'cpu'],
      ['pofa/sparse-mat-mul-wasm', 'wasm'],
    ]);
    expect(registerSparseMatMulKernels()).toEqual([]);
  });

  it('says how to fix a backend without the kernel', async () => {
    await initBackend({ backend: 'cpu' });
    tf.unregisterKernel(SPARSE_MAT_MUL, 'cpu');
    const x = tf.zeros([1, cols]) as tf.Tensor2D;
    expect(() => sparseMatMul(x, packed)).toThrow(BackendError);
    x.dispose();
    expect(registerSparseMatMulKernels()).toEqual(['pofa/sparse-mat-mul-cpu']);
  });
});
