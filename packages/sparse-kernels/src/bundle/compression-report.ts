import { countZeros } from '@pofa/core';
import type { PackedEntry } from './bundle-header';
import { entrySegments } from './bundle-directory';
import { isPackedWeight, type Bundle } from './bundle-types';
import { byteEntropy } from './huffman-code';
import { layerTensorNames } from './encoder-tensors';
import { positionGrid } from './weight-positions';

/**
 * How much the encoder's Linear weights (Q, K, V, attention output, FFN in and out of every
 * layer) shrank. All ratios divide the dense fp32 bytes of those weights by a compressed size.
 */
export interface CompressionReport {
  /** Elements of the dense encoder Linear weights. */
  parameters: number;
  /** `parameters × 4`. */
  denseBytes: number;
  /** Stored values that are not zero. */
  nonZeros: number;
  /** Bits per stored value (8 for int8, 32 for fp32; the widest when mixed). */
  bits: number;
  /** The paper's arithmetic: dense fp32 bytes / (non-zeros × bits / 8), indices not counted. */
  nominal: number;
  /** Bytes of those weights in the file (masks, values, scales). */
  onDiskBytes: number;
  /** `denseBytes / onDiskBytes`. */
  onDisk: number;
  /** Order-0 entropy of the masks (H(density) per grid cell) + values (int8 byte entropy, 32 bits per fp32) + scales, in bytes. */
  entropyBytes: number;
  /** `denseBytes / entropyBytes`: the best an order-0 coder can do. */
  entropyBound: number;
  /** Of `entropyBytes`, the mask part. */
  maskEntropyBytes: number;
  /** Bytes of the whole file (embeddings, heads, header included). */
  fileBytes: number;
}

function binaryEntropy(p: number): number {
  return p <= 0 || p >= 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

function log2Binomial(n: number, k: number): number {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += Math.log2((n - i) / (i + 1));
  return sum;
}

/**
 * The compression of a bundle's encoder Linear weights: nominal (the paper's), on disk, and
 * the order-0 entropy bound.
 *
 * @example
 * ```ts
 * const report = compressionReport(await readBundle('model.pofa'));
 * console.log(report.nominal.toFixed(1), report.onDisk.toFixed(1), report.entropyBound.toFixed(1));
 * ```
 */
export function compressionReport(bundle: Bundle): CompressionReport {
  const names = new Set<string>();
  for (let layer = 0; layer < bundle.config.numLayers; layer++) {
    const layerNames = layerTensorNames(bundle.config.family, layer);
    for (const role of ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output'] as const) names.add(layerNames[role].weight);
  }
  let parameters = 0;
  let nonZeros = 0;
  let bits = 0;
  let onDiskBytes = 0;
  let maskBits = 0;
  let otherBits = 0;
  for (const entry of bundle.entries) {
    if (!names.has(entry.name)) continue;
    const tensor = bundle.tensors.get(entry.name);
    if (tensor === undefined) continue;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    parameters += count;
    onDiskBytes += entrySegments(entry).reduce((sum, segment) => sum + segment.length, 0);
    if (!isPackedWeight(tensor)) {
      nonZeros += tensor.data.length - countZeros(tensor.data);
      bits = Math.max(bits, 32);
      otherBits += 32 * count;
      continue;
    }
    const int8 = tensor.dtype === 'int8';
    bits = Math.max(bits, int8 ? 8 : 32);
    nonZeros += tensor.values.length - countZeros(tensor.values);
    const packed = entry as PackedEntry;
    if (tensor.format === 'nm') maskBits += tensor.rows * Math.ceil(tensor.cols / tensor.m) * log2Binomial(tensor.m, tensor.n);
    else if (tensor.format !== 'dense') {
      const { gridRows, gridCols } = positionGrid(tensor);
      const grid = gridRows * gridCols;
      maskBits += binaryEntropy(packed.kept / grid) * grid;
    }
    const values = tensor.values;
    otherBits += int8 ? byteEntropy(new Uint8Array(values.buffer, values.byteOffset, values.length)) * values.length : 32 * values.length;
    if (tensor.scales !== undefined) otherBits += 32 * tensor.scales.length;
  }
  const denseBytes = parameters * 4;
  const entropyBytes = (maskBits + otherBits) / 8;
  return {
    parameters,
    denseBytes,
    nonZeros,
    bits,
    nominal: denseBytes / Math.max(1, (nonZeros * bits) / 8),
    onDiskBytes,
    onDisk: denseBytes / Math.max(1, onDiskBytes),
    entropyBytes,
    entropyBound: denseBytes / Math.max(1, entropyBytes),
    maskEntropyBytes: maskBits / 8,
    fileBytes: bundle.fileBytes,
  };
}
