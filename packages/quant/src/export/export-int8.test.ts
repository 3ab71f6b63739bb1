import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMaskTransform, effectiveValues, initBackend, readSafetensorsRaw, tf } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantizationError } from '../errors/quantization-error';
import { fakeQuantize } from '../primitives/fake-quantize';
import { quantParams } from '../primitives/quant-params';
import { createWeightFakeQuantTransform } from '../primitives/weight-fake-quant-transform';
import { TOY_TARGETS, ToyModel } from './__fixtures__/toy-model';
import { dequantizeInt8 } from './dequantize-int8';
import { exportInt8, writeInt8Safetensors } from './export-int8';

let directory: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  directory = await mkdtemp(join(tmpdir(), 'pofa-quant-export-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** dense: mask + per-channel fake-quantizer; head.dense: group-wise fake-quantizer; output: none. */
function quantizedModel(): { model: ToyModel; mask: tf.Tensor } {
  const model = new ToyModel();
  const mask = tf.tidy(() => tf.cast(tf.greater(tf.abs(model.dense.weight.variable), 0.3), 'float32'));
  model.dense.weight.addTransform(createMaskTransform(tf.clone(mask)));
  model.dense.weight.addTransform(createWeightFakeQuantTransform());
  model.head.dense.weight.addTransform(createWeightFakeQuantTransform({ groupSize: 2 }));
  return { model, mask };
}

describe('exportInt8', () => {
  it('round-trips: dequantizeInt8(export) is the fake-quantized effective weight, bit for bit', () => {
    const { model, mask } = quantizedModel();
    const { tensors } = exportInt8(model, { targets: TOY_TARGETS, perChannel: false });
    const floats = dequantizeInt8(tensors);
    const bits = (data: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(data).buffer));
    // weights with a fake-quantizer: the parameter's own effective value (mask, then quantize)
    expect(bits(floats['dense.weight'].data as Float32Array)).toEqual(bits(effectiveValues(model.dense.weight)));
    expect(bits(floats['head.dense.weight'].data as Float32Array)).toEqual(bits(effectiveValues(model.head.dense.weight)));
    // a weight without one: per-tensor symmetric narrow int8 of its value
    const raw = model.output.weight.variable;
    const values = Array.from(raw.dataSync());
    const expected = tf.tidy(() => fakeQuantize(raw, quantParams({ min: Math.min(...values), max: Math.max(...values), symmetric: true })).dataSync());
    expect(bits(floats['output.weight'].data as Float32Array)).toEqual(bits(expected));
    // pruned weights are integer 0 (zero point 0), kept ones are not all zero
    const q = tensors['dense.weight'].data as Int8Array;
    const keep = mask.dataSync();
    keep.forEach((flag, index) => flag === 0 && expect(q[index]).toBe(0));
    expect(q.some((value) => value !== 0)).toBe(true);
    // non-target parameters are their F32 values
    expect(floats['norm.weight']).toEqual({ dtype: 'F32', shape: [6], data: Float32Array.from(model.norm.parameters()[0].variable.dataSync()) });
    mask.dispose();
    model.dispose();
  });

  it('writes the documented names, dtypes, shapes and metadata', () => {
    const { model, mask } = quantizedModel();
    const { tensors, metadata } = exportInt8(model, {
      targets: TOY_TARGETS,
      perChannel: false,
      activationRanges: { dense: { min: -100 / 256, max: 155 / 256 } },
    });
    expect(Object.keys(tensors).sort()).toEqual(
      [
        'dense.weight', 'dense.weight_scale', 'dense.weight_zero_point', 'dense.input_scale', 'dense.input_zero_point', 'dense.bias',
        'norm.weight', 'norm.bias',
        'head.dense.weight', 'head.dense.weight_scale', 'head.dense.weight_zero_point', 'head.dense.bias',
        'output.weight', 'output.weight_scale', 'output.weight_zero_point',
      ].sort(),
    );
    expect(tensors['dense.weight']).toMatchObject({ dtype: 'I8', shape: [6, 8] });
    expect(tensors['dense.weight_scale']).toMatchObject({ dtype: 'F32', shape: [6] });
    expect(tensors['dense.weight_zero_point']).toEqual({ dtype: 'I32', shape: [6], data: new Int32Array(6) });
    expect(tensors['output.weight_scale']).toMatchObject({ dtype: 'F32', shape: [] });
    // group-wise scales (groups of 2 rows) are stored once per row
    const groupScales = Array.from(tensors['head.dense.weight_scale'].data as Float32Array);
    expect(groupScales[0]).toBe(groupScales[1]);
    expect(groupScales[2]).toBe(groupScales[3]);
    // uint8 input: scale (255/256) / 255 = 1/256, zero point round(100) = 100
    expect(tensors['dense.input_scale']).toEqual({ dtype: 'F32', shape: [], data: Float32Array.of(1 / 256) });
    expect(tensors['dense.input_zero_point']).toEqual({ dtype: 'I32', shape: [], data: Int32Array.of(100) });
    expect(tensors['dense.bias'].dtype).toBe('F32');
    expect(metadata['pofa.format']).toBe('int8-v1');
    const scheme = JSON.parse(metadata['pofa.quantization']);
    expect(scheme.weights.modules).toEqual({
      dense: { quantMin: -127, quantMax: 127, perChannel: true },
      'head.dense': { quantMin: -127, quantMax: 127, perChannel: true, groupSize: 2 },
      output: { quantMin: -127, quantMax: 127, perChannel: false },
    });
    expect(scheme.activations.modules.dense).toMatchObject({ quantMin: 0, quantMax: 255 });
    mask.dispose();
    model.dispose();
  });

  it('writes a safetensors file that reads back unchanged', async () => {
    const { model, mask } = quantizedModel();
    const path = join(directory, 'model-int8.safetensors');
    await writeInt8Safetensors(path, model, { targets: TOY_TARGETS });
    const { tensors, metadata } = exportInt8(model, { targets: TOY_TARGETS });
    const read = await readSafetensorsRaw(path);
    expect(read.metadata).toEqual(metadata);
    for (const [name, tensor] of Object.entries(tensors)) expect(read.tensors[name]).toEqual(tensor);
    mask.dispose();
    model.dispose();
  });

  it('rejects weights that do not fit int8 and activation ranges of unknown modules', () => {
    const model = new ToyModel();
    model.output.weight.addTransform(createWeightFakeQuantTransform({ bits: 12 }));
    expect(() => exportInt8(model, { targets: TOY_TARGETS })).toThrow(/does not fit int8/);
    model.output.weight.removeTransform('quant/fake-quantize');
    let error: unknown;
    try {
      exportInt8(model, { targets: TOY_TARGETS, activationRanges: { 'head.missing': { min: 0, max: 1 } } });
    } catch (caught) {
      error = caught;
    }
    expect(QuantizationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/head\.missing/);
    model.dispose();
  });

  it('leaves no tensor behind', () => {
    const { model, mask } = quantizedModel();
    exportInt8(model, { targets: TOY_TARGETS });
    const before = tf.memory().numTensors;
    exportInt8(model, { targets: TOY_TARGETS });
    expect(tf.memory().numTensors).toBe(before);
    mask.dispose();
    model.dispose();
  });
});
