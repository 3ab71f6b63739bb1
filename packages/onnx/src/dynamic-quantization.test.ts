import { ENCODER_LINEAR_WEIGHTS, initBackend } from '@pofa/core';
import { exportInt8, installFakeQuantization } from '@pofa/quant';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantizedDifferences, smallBert, smallDistilBert, tfjsOutputs } from './__fixtures__/onnx-models';
import { readOnnx } from './__fixtures__/read-onnx';
import { buildOnnxModel, buildOnnxModelFromStateDict } from './export-onnx';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const encoderTargets = { include: [...ENCODER_LINEAR_WEIGHTS] };

describe('dynamicQuantization', () => {
  it('stores each int8 weight transposed for MatMulInteger, with its scales and zero points', () => {
    const model = smallBert('sequence-classification', 71);
    const { tensors } = exportInt8(model, { targets: encoderTargets, perChannel: true });
    const read = readOnnx(buildOnnxModel(model, { int8: tensors, dynamicQuantization: true }));
    const count = (op: string) => read.nodes.filter((node) => node.opType === op).length;
    expect([count('DynamicQuantizeLinear'), count('MatMulInteger'), count('DequantizeLinear'), count('QuantizeLinear')]).toEqual([12, 12, 0, 0]);
    expect(read.metadata['pofa.quantization']).toBe('dynamic-int8');
    for (const name of Object.keys(tensors).filter((key) => tensors[key].dtype === 'I8')) {
      const module = name.slice(0, -'.weight'.length);
      const [rows, columns] = tensors[name].shape;
      const stored = read.initializers.get(`${module}.weight_t`)!;
      expect([stored.dataType, stored.dims]).toEqual([3, [columns, rows]]);
      const values = new Int8Array(stored.raw.buffer);
      const source = tensors[name].data as Int8Array;
      // Element [r, c] of the exported [out, in] weight is element [c, r] of the stored one.
      for (const [row, column] of [[0, 0], [rows - 1, 0], [1, columns - 1], [rows - 1, columns - 1]]) expect(values[column * rows + row]).toBe(source[row * columns + column]);
      expect(new Float32Array(read.initializers.get(`${module}.weight_scale`)!.raw.buffer)).toEqual(tensors[`${module}.weight_scale`].data);
      expect(read.initializers.get(`${module}.weight_zero_point`)!.dims).toEqual([rows]);
      const matMul = read.nodes.find((node) => node.opType === 'MatMulInteger' && node.inputs[1] === `${module}.weight_t`)!;
      expect(matMul.inputs[3]).toBe(`${module}.weight_zero_point`);
    }
    model.dispose();
  });

  it('computes on onnxruntime what tfjs computes with min-max input fake quantization of the same batch, but for rounding ties (12 models)', async () => {
    // The reference: the model with int8 weight fake quantization and fresh min-max input observers, one
    // training-mode pass: each Linear input is quantized to uint8 over its own min..max (0 included),
    // which is DynamicQuantizeLinear's rule. Measured on 30 models: max 7e-7, one rounding tie at 2.2e-5
    // (as in the QDQ test, a value within float rounding of the middle of two uint8 steps can round the
    // other way). A wrong scale, zero point or transposition moves these logits by far more than 1e-4.
    const differences = await quantizedDifferences(70, (model, perChannel, inputs) => {
      const installed = installFakeQuantization(model, { targets: encoderTargets, weights: { bits: 8, perChannel }, activations: { observer: 'min-max' } });
      const expected = tfjsOutputs(model, inputs, 'train');
      const { tensors } = exportInt8(model, { targets: encoderTargets, perChannel });
      installed.remove();
      return { expected, bytes: buildOnnxModel(model, { int8: tensors, dynamicQuantization: true }) };
    });
    expect(differences.filter((difference) => difference <= 1e-5).length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...differences)).toBeLessThan(0.5);
  });

  it('builds the same graph from the tensors of the int8 export (per tensor)', () => {
    const model = smallDistilBert('sequence-classification', 74);
    const { tensors } = exportInt8(model, { targets: encoderTargets, perChannel: false });
    const config = { family: 'distilbert', task: 'sequence-classification', numLayers: 2, hiddenSize: 32, numHeads: 4, activation: 'gelu', layerNormEps: 1e-12 } as const;
    const bytes = buildOnnxModelFromStateDict(config, tensors, { dynamicQuantization: true });
    expect(bytes).toEqual(buildOnnxModel(model, { int8: tensors, dynamicQuantization: true }));
    // Per tensor: one scale and one zero point, as scalars.
    expect(readOnnx(bytes).initializers.get('transformer.layer.0.ffn.lin1.weight_zero_point')!.dims).toEqual([]);
    model.dispose();
  });
});
