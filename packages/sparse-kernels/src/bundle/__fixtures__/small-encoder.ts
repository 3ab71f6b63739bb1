import { createRandom } from '@pofa/core';
import { packWeight } from '../../formats/pack-weight';
import type { PackedFormat } from '../../formats/packed-weight';
import { quantizeWeightInt8 } from '../../formats/quantize-weight';
import type { BundleContents, BundleTensor } from '../bundle-types';
import { encoderConfigSchema, type EncoderConfig } from '../encoder-config';
import { encoderTensorShapes, layerTensorNames } from '../encoder-tensors';

/** A tiny BERT config for bundle tests (2 layers, hidden 16, 2 heads, FFN 32). */
export function smallConfig(overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return encoderConfigSchema.parse({
    family: 'bert',
    task: 'sequence-classification',
    vocabSize: 20,
    hiddenSize: 16,
    numLayers: 2,
    numHeads: 2,
    headsPerLayer: [2, 2],
    intermediateSizes: [32, 32],
    activation: 'gelu',
    layerNormEps: 1e-12,
    maxPositions: 16,
    typeVocabSize: 2,
    padTokenId: 0,
    numLabels: 3,
    pooler: true,
    ...overrides,
  });
}

/** Options of {@link smallContents}. */
export interface SmallContentsOptions {
  format?: PackedFormat;
  sparsity?: number;
  int8?: boolean;
  vocab?: boolean;
}

/**
 * Random bundle contents for `config`: the encoder Linear weights packed in `format` with
 * about `sparsity` zeros (whole 4x1 tiles for `block`, 2:4 for `nm`), the rest dense.
 */
export function smallContents(config: EncoderConfig, seed: number, options: SmallContentsOptions = {}): BundleContents {
  const { format = 'csr', sparsity = 0.9, int8 = false } = options;
  const random = createRandom(seed);
  const linear = new Set<string>();
  for (let layer = 0; layer < config.numLayers; layer++) {
    const names = layerTensorNames(config.family, layer);
    for (const role of ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output'] as const) linear.add(names[role].weight);
  }
  const tensors = new Map<string, BundleTensor>();
  for (const [name, shape] of encoderTensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = random.normal() * 0.1;
    if (!linear.has(name)) {
      tensors.set(name, { shape, data });
      continue;
    }
    const [rows, cols] = shape;
    const mask = new Float32Array(size);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const tileKept = format === 'block' ? (r % 4 === 0 ? random.next() >= sparsity : mask[(r - (r % 4)) * cols + c]) : random.next() >= sparsity;
        mask[r * cols + c] = format === 'nm' ? (c % 4 < 2 ? 1 : 0) : Number(tileKept);
      }
    }
    let packed = packWeight(data, rows, cols, { format, block: [4, 1], mask });
    if (int8) packed = quantizeWeightInt8(packed);
    tensors.set(name, packed);
  }
  const vocab = options.vocab ? Array.from({ length: config.vocabSize }, (_, i) => (i === 0 ? '[PAD]' : `tok${i}é`)) : undefined;
  return { config, tensors, ...(vocab === undefined ? {} : { vocab }), ...(int8 ? { quantization: { weights: { bits: 8, symmetric: true, granularity: 'per-row' } } } : {}) };
}
