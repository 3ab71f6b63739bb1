import { ConfigError, decodeHalfArray, encodeHalfArray, ENCODER_LINEAR_WEIGHTS, initBackend, tf, type RawTensor } from '@pofa/core';
import { exportInt8 } from '@pofa/quant';
import { beforeAll, describe, expect, it } from 'vitest';
import { batch, fakeQuantize, maxDifference, onnxOutputs, smallBert, smallDistilBert, tfjsOutputs } from './__fixtures__/onnx-models';
import { readOnnx } from './__fixtures__/read-onnx';
import { thrown } from './__fixtures__/thrown';
import { buildOnnxModel, buildOnnxModelFromStateDict } from './export-onnx';
import { OnnxExportError } from './onnx-export-error';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const encoderTargets = { include: [...ENCODER_LINEAR_WEIGHTS] };
/** The fixtures' models: 2 layers, width 32, 4 heads, exact GELU, LayerNorm epsilon 1e-12. */
const shape = { numLayers: 2, hiddenSize: 32, numHeads: 4, activation: 'gelu', layerNormEps: 1e-12 } as const;

/** The model's raw parameters as a state dict (F32, or F16 bit patterns). */
function stateDict(model: ReturnType<typeof smallBert> | ReturnType<typeof smallDistilBert>, dtype: 'F32' | 'F16' = 'F32'): Record<string, RawTensor> {
  return Object.fromEntries(
    model.namedParameters().map(([name, parameter]) => {
      const values = Float32Array.from(parameter.variable.dataSync());
      return [name, dtype === 'F32' ? { dtype, shape: parameter.shape, data: values } : { dtype, shape: parameter.shape, data: encodeHalfArray(values, dtype) }];
    }),
  );
}

describe('buildOnnxModelFromStateDict', () => {
  const inputs = batch(4);

  it('gives the tfjs outputs of a pruned BERT classifier from its parameters and a bundle-style config', async () => {
    // Layer 0 keeps 3 of 4 heads; the extra fields of a bundle's EncoderConfig are ignored.
    const model = smallBert('sequence-classification', 61, { pruned: true });
    const config = { ...shape, family: 'bert', task: 'sequence-classification', headsPerLayer: [3, 4], intermediateSizes: [64, 40], vocabSize: 60, pooler: true } as const;
    const bytes = buildOnnxModelFromStateDict(config, stateDict(model));
    expect(maxDifference((await onnxOutputs(bytes, inputs)).logits, tfjsOutputs(model, inputs).logits)).toBeLessThan(1e-4);
    expect(readOnnx(bytes).outputs).toEqual([{ name: 'logits', elemType: 1, dims: ['batch', 2] }]);
    model.dispose();
  });

  it('gives the tfjs outputs of a DistilBERT masked LM stored in F16, its weights rounded to F16', async () => {
    const model = smallDistilBert('masked-lm', 62);
    const tensors = stateDict(model, 'F16');
    const bytes = buildOnnxModelFromStateDict({ ...shape, family: 'distilbert', task: 'masked-lm' }, tensors);
    // The reference: the tfjs model holding the same F16 values (every F16 value is exact in float32).
    for (const [name, parameter] of model.namedParameters()) parameter.assign(tf.tensor(decodeHalfArray(tensors[name].data as Uint16Array, 'F16'), parameter.shape));
    expect(maxDifference((await onnxOutputs(bytes, inputs)).logits, tfjsOutputs(model, inputs).logits)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('writes the same bytes as buildOnnxModel for the tensors of an int8 export (QAT input scales included)', () => {
    const model = smallBert('sequence-classification', 63);
    const installed = fakeQuantize(model, true);
    const { tensors } = exportInt8(model, { targets: encoderTargets, perChannel: true, activationRanges: installed.activationRanges() });
    const fromModel = buildOnnxModel(model, { int8: tensors });
    const fromStateDict = buildOnnxModelFromStateDict({ ...shape, family: 'bert', task: 'sequence-classification' }, tensors);
    expect(fromStateDict).toEqual(fromModel);
    expect(readOnnx(fromStateDict).metadata['pofa.quantization']).toBe('qdq-int8');
    installed.remove();
    model.dispose();
  });

  it('refuses configs that do not parse, missing tensors and tensors that are not floats', () => {
    const model = smallBert('base', 64);
    const tensors = stateDict(model);
    const config = { ...shape, family: 'bert', task: 'base' } as const;
    const badHeads = thrown(() => buildOnnxModelFromStateDict({ ...config, numHeads: 5 }, tensors));
    expect(ConfigError.isInstance(badHeads) && badHeads.message.includes('hiddenSize must be divisible by numHeads')).toBe(true);
    expect(thrown(() => buildOnnxModelFromStateDict({ ...config, activation: 'swish' as never }, tensors)).message).toMatch(/activation/);
    const { ['encoder.layer.1.output.dense.bias']: _, ...withoutBias } = tensors;
    const missing = thrown(() => buildOnnxModelFromStateDict(config, withoutBias));
    expect(OnnxExportError.isInstance(missing)).toBe(true);
    expect(missing.message).toMatch(/No tensor encoder\.layer\.1\.output\.dense\.bias in the state dict/);
    expect(thrown(() => buildOnnxModelFromStateDict({ ...config, numLayers: 3 }, tensors)).message).toMatch(/No tensor encoder\.layer\.2\.attention\.self\.query\.weight/);
    const integer = { ...tensors, 'embeddings.LayerNorm.bias': { dtype: 'I32', shape: [32], data: new Int32Array(32) } } as Record<string, RawTensor>;
    expect(thrown(() => buildOnnxModelFromStateDict(config, integer)).message).toMatch(/embeddings\.LayerNorm\.bias is not a float tensor: expected F32, F16 or BF16/);
    model.dispose();
  });
});
