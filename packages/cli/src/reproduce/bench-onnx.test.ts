import { ConfigError } from '@pofa/core';
import { encoderConfigSchema, packWeight, parseBundle, quantizeWeightInt8, serializeBundle, type BundleTensor } from '@pofa/sparse-kernels';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bundleStateDict, interleave } from './bench-onnx';

afterEach(() => {
  vi.doUnmock('onnxruntime-node');
  vi.resetModules();
});

describe('bundleStateDict', () => {
  // One 1-layer BERT bundle, hidden 4, FFN 8: the query weight CSR int8, every other Linear dense fp32.
  const config = encoderConfigSchema.parse({
    family: 'bert', task: 'base', vocabSize: 6, hiddenSize: 4, numLayers: 1, numHeads: 1, headsPerLayer: [1], intermediateSizes: [8],
    activation: 'gelu', layerNormEps: 1e-12, maxPositions: 8, typeVocabSize: 2, padTokenId: 0, numLabels: 2, pooler: false,
  });
  const query = new Float32Array([0.5, 0, -0.25, 0, 0, 1, 0, 0, 0, 0, 0, -0.75, 0.125, 0, 0, 0]);
  const linear = /^encoder\.layer\.0\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)\.weight$/;
  const shapes: Array<[string, number[]]> = [
    ['embeddings.word_embeddings.weight', [6, 4]], ['embeddings.position_embeddings.weight', [8, 4]], ['embeddings.token_type_embeddings.weight', [2, 4]],
    ['embeddings.LayerNorm.weight', [4]], ['embeddings.LayerNorm.bias', [4]],
    ...['query', 'key', 'value'].flatMap((name): Array<[string, number[]]> => [[`encoder.layer.0.attention.self.${name}.weight`, [4, 4]], [`encoder.layer.0.attention.self.${name}.bias`, [4]]]),
    ['encoder.layer.0.attention.output.dense.weight', [4, 4]], ['encoder.layer.0.attention.output.dense.bias', [4]],
    ['encoder.layer.0.attention.output.LayerNorm.weight', [4]], ['encoder.layer.0.attention.output.LayerNorm.bias', [4]],
    ['encoder.layer.0.intermediate.dense.weight', [8, 4]], ['encoder.layer.0.intermediate.dense.bias', [8]],
    ['encoder.layer.0.output.dense.weight', [4, 8]], ['encoder.layer.0.output.dense.bias', [4]],
    ['encoder.layer.0.output.LayerNorm.weight', [4]], ['encoder.layer.0.output.LayerNorm.bias', [4]],
  ];
  const tensors = new Map<string, BundleTensor>();
  for (const [name, shape] of shapes) {
    const data = name.endsWith('query.weight') ? query : Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, index) => ((index % 5) - 2) / 8);
    if (name.endsWith('query.weight')) tensors.set(name, quantizeWeightInt8(packWeight(data, 4, 4, { format: 'csr' })));
    else tensors.set(name, linear.test(name) ? packWeight(data, shape[0], shape[1], { format: 'dense' }) : { shape, data });
  }
  const bundle = parseBundle(serializeBundle({ config, tensors, quantization: { weights: { bits: 8, symmetric: true, granularity: 'per-row' } } }));

  it('gives the int8 weights as exportInt8 writes them: the integers, per-row scales, zero points', () => {
    const state = bundleStateDict(bundle, { int8: true });
    const module = 'encoder.layer.0.attention.self.query';
    // Per row, max |w| is 127: 0.5, 1, 0.75, 0.125 → scales max / 127, integers round(w / scale).
    expect(state[`${module}.weight_scale`]).toEqual({ dtype: 'F32', shape: [4], data: Float32Array.from([0.5, 1, 0.75, 0.125], (max) => max / 127) });
    expect(state[`${module}.weight`]).toEqual({ dtype: 'I8', shape: [4, 4], data: Int8Array.from([127, 0, -64, 0, 0, 127, 0, 0, 0, 0, 0, -127, 127, 0, 0, 0]) });
    expect(state[`${module}.weight_zero_point`]).toEqual({ dtype: 'I32', shape: [4], data: new Int32Array(4) });
    expect(state['encoder.layer.0.attention.self.key.weight'].dtype).toBe('F32');
  });

  it('gives every weight fp32 otherwise, int8 ones dequantized, dense arrays shared with the bundle', () => {
    const state = bundleStateDict(bundle, { int8: false });
    const weight = state['encoder.layer.0.attention.self.query.weight'];
    expect(weight.shape).toEqual([4, 4]);
    // q × scale in fp32: 127 × (0.5 / 127) is 0.5 again; -64 × (0.5 / 127) is not -0.25.
    expect(weight.data[0]).toBe(0.5);
    expect(weight.data[2]).toBeCloseTo((-64 * 0.5) / 127, 6);
    expect(Object.keys(state).filter((name) => !name.endsWith('.weight_scale'))).toHaveLength(shapes.length);
    expect(state['encoder.layer.0.output.dense.weight'].data).toBe((bundle.tensors.get('encoder.layer.0.output.dense.weight') as { values: Float32Array }).values);
  });

  it('interleaves span QA logits as the runtime lays them out', () => {
    expect(Array.from(interleave([1, 2, 3], [4, 5, 6]))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('loadOnnxRuntime', () => {
  it('says how to install onnxruntime-node, or to pass --no-ort, when it does not load', async () => {
    vi.doMock('onnxruntime-node', () => {
      throw new Error('Cannot find module onnxruntime-node');
    });
    const { loadOnnxRuntime } = await import('./bench-onnx');
    const error = await loadOnnxRuntime().catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ hint: 'Run npm install onnxruntime-node@1.23.2, or pass --no-ort to compare with tfjs only' });
  });
});
