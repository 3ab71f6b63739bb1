// A BERT-base-shaped encoder with seeded random weights, and its pruned / packed variants.
import { createRandom } from '@pofa/core';

/** The benchmark's encoder config (family-neutral, as .pofa bundles store it): BERT's heads of 64 and FFN of 4 × hidden by default. */
export function benchmarkConfig({ layers = 12, hidden = 768, heads = Math.max(1, Math.round(hidden / 64)), ffn = 4 * hidden, vocab = 30522, maxPositions = 512 } = {}) {
  return {
    family: 'bert',
    task: 'base',
    vocabSize: vocab,
    hiddenSize: hidden,
    numLayers: layers,
    numHeads: heads,
    headsPerLayer: Array(layers).fill(heads),
    intermediateSizes: Array(layers).fill(ffn),
    activation: 'gelu',
    layerNormEps: 1e-12,
    maxPositions,
    typeVocabSize: 2,
    padTokenId: 0,
    numLabels: 2,
    pooler: false,
  };
}

/** Names of the encoder Linear weights (the ones the paper prunes). */
export function encoderLinearNames(config) {
  const names = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    const p = `encoder.layer.${layer}`;
    for (const suffix of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense']) {
      names.push(`${p}.${suffix}.weight`);
    }
  }
  return names;
}

/** Dense random weights for every tensor of `shapes` (N(0, 0.02²) like BERT's init; LayerNorm γ ≈ 1). */
export function randomTensors(shapes, seed) {
  const random = createRandom(seed);
  const tensors = new Map();
  for (const [name, shape] of shapes) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isNormWeight = /LayerNorm\.weight$/.test(name);
    const isBias = /\.bias$/.test(name);
    for (let i = 0; i < data.length; i++) data[i] = isNormWeight ? 1 + random.normal() * 0.02 : random.normal() * (isBias ? 0.01 : 0.02);
    tensors.set(name, { shape, data });
  }
  return tensors;
}

function sampledQuantile(values, fraction, random) {
  const sample = new Float64Array(Math.min(values.length, 200_000));
  for (let i = 0; i < sample.length; i++) sample[i] = values[random.int(values.length)];
  sample.sort();
  return sample[Math.min(sample.length - 1, Math.floor(fraction * sample.length))];
}

/**
 * A 0/1 mask pruning about `sparsity` of a `[rows, cols]` weight by magnitude: elements
 * (`unstructured`) or 4x1 tiles of 4 output rows × 1 input column ranked by L2 norm (`4x1`).
 * The threshold is a sampled quantile, so the sparsity is approximate.
 */
export function magnitudeMask(data, rows, cols, sparsity, pattern, seed) {
  const random = createRandom(seed);
  const mask = new Uint8Array(rows * cols);
  if (pattern === 'unstructured') {
    const magnitudes = data.map(Math.abs);
    const threshold = sampledQuantile(magnitudes, sparsity, random);
    for (let i = 0; i < mask.length; i++) mask[i] = magnitudes[i] > threshold ? 1 : 0;
    return mask;
  }
  const tileRows = rows / 4;
  const norms = new Float32Array(tileRows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) norms[Math.floor(r / 4) * cols + c] += data[r * cols + c] ** 2;
  const threshold = sampledQuantile(norms, sparsity, random);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mask[r * cols + c] = norms[Math.floor(r / 4) * cols + c] > threshold ? 1 : 0;
  return mask;
}

/**
 * The dense weights as a state dict for `@pofa/onnx`'s buildOnnxModelFromStateDict: F32 tensors;
 * with `int8`, each encoder Linear weight int8 per output row (symmetric, `max |w| / 127`: the
 * kernels' quantizeWeightInt8, so onnxruntime and pofa run the same int8 weights), stored as an
 * int8 export stores it (I8 weight, F32 weight_scale, I32 weight_zero_point).
 */
export function onnxStateDict(sk, config, dense, { int8 = false } = {}) {
  const linear = new Set(int8 ? encoderLinearNames(config) : []);
  const tensors = {};
  for (const [name, { shape, data }] of dense) {
    if (!linear.has(name)) {
      tensors[name] = { dtype: 'F32', shape, data };
      continue;
    }
    const [rows, cols] = shape;
    const { values, scales } = sk.quantizeWeightInt8(sk.packWeight(data, rows, cols, { format: 'dense' }));
    const module = name.slice(0, -'.weight'.length);
    tensors[name] = { dtype: 'I8', shape, data: values };
    tensors[`${module}.weight_scale`] = { dtype: 'F32', shape: [rows], data: scales };
    tensors[`${module}.weight_zero_point`] = { dtype: 'I32', shape: [rows], data: new Int32Array(rows) };
  }
  return tensors;
}

/**
 * The bundle tensors of one benchmark variant: encoder Linear weights pruned and packed
 * (`csr` for unstructured, `block` [4, 1] for 4x1, `dense` at sparsity 0), int8 if asked;
 * everything else dense fp32.
 */
export function variantTensors(sk, config, dense, { pattern, sparsity, int8 }) {
  const linear = new Set(encoderLinearNames(config));
  const tensors = new Map();
  let index = 0;
  for (const [name, tensor] of dense) {
    if (!linear.has(name)) {
      tensors.set(name, tensor);
      continue;
    }
    const [rows, cols] = tensor.shape;
    let packed;
    if (sparsity === 0) packed = sk.packWeight(tensor.data, rows, cols, { format: 'dense' });
    else {
      const mask = magnitudeMask(tensor.data, rows, cols, sparsity, pattern, 1000 + index);
      packed = sk.packWeight(tensor.data, rows, cols, pattern === 'unstructured' ? { format: 'csr', mask } : { format: 'block', block: [4, 1], mask });
    }
    tensors.set(name, int8 ? sk.quantizeWeightInt8(packed) : packed);
    index++;
  }
  return tensors;
}
