import { bfloat16FromNumber, bfloat16ToNumber, decodeHalfArray, effectiveValues, float16FromNumber, float16ToNumber, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWeightFakeQuantTransform } from '../primitives/weight-fake-quant-transform';
import { ToyModel } from './__fixtures__/toy-model';
import { exportHalf } from './export-half';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('exportHalf', () => {
  it('encodes known values by hand', () => {
    const model = new ToyModel();
    model.norm.parameters()[0].assign(tf.tensor1d([1 / 3, 1, -2, 65504, 1e-8, 0.1]));
    const f16 = exportHalf(model, 'F16').tensors['norm.weight'];
    const bf16 = exportHalf(model, 'BF16').tensors['norm.weight'];
    // 1/3: F16 0x3555, BF16 0x3EAB; 1: 0x3C00 / 0x3F80; −2: 0xC000 / 0xC000; 65504 (F16 max): 0x7BFF / 0x4780;
    // 1e-8 underflows to 0 in F16, BF16 0x322C; 0.1: 0x2E66 / 0x3DCD
    expect(Array.from(f16.data as Uint16Array)).toEqual([0x3555, 0x3c00, 0xc000, 0x7bff, 0x0000, 0x2e66]);
    expect(Array.from(bf16.data as Uint16Array)).toEqual([0x3eab, 0x3f80, 0xc000, 0x4780, 0x322c, 0x3dcd]);
    expect(f16).toMatchObject({ dtype: 'F16', shape: [6] });
    model.dispose();
  });

  it.each(['F16', 'BF16'] as const)('%s: every parameter is its effective value rounded to half precision', (dtype) => {
    const model = new ToyModel();
    model.dense.weight.addTransform(createWeightFakeQuantTransform());
    const { tensors, metadata } = exportHalf(model, dtype);
    expect(metadata).toEqual({ 'pofa.format': 'half-v1', 'pofa.dtype': dtype });
    expect(Object.keys(tensors)).toEqual(model.namedParameters().map(([name]) => name));
    const encode = dtype === 'F16' ? float16FromNumber : bfloat16FromNumber;
    const decode = dtype === 'F16' ? float16ToNumber : bfloat16ToNumber;
    for (const [name, parameter] of model.namedParameters()) {
      const expected = Array.from(effectiveValues(parameter), (value) => Math.fround(decode(encode(value))));
      expect(Array.from(decodeHalfArray(tensors[name].data as Uint16Array, dtype))).toEqual(expected);
    }
    model.dispose();
  });
});
