import { countZeros } from '@pofa/core';
import { compressionReport, isPackedWeight, readBundle, type BundleTask, type BundleTokenizer, type CompressionReport, type TensorEntry } from '@pofa/sparse-kernels';

/** One tensor of a `.pofa` bundle, as `pofa inspect` reports it. */
export interface InspectedBundleTensor {
  name: string;
  /** `dense` (fp32, as is) or the packed layout: `csr`, `block 4x1`, `nm 2:4`, `bitmask`, `dense` (packed). */
  format: string;
  dtype: 'float32' | 'int8';
  shape: number[];
  bits: number;
  /** Fraction of zeros among the tensor's elements (packed: elements not stored or stored as 0). */
  sparsity: number;
  /** Non-zeros × bits / 8 for packed weights (the paper's arithmetic), elements × 4 for dense tensors. */
  nominalBytes: number;
  /** Bytes of the tensor's segments in the file (values, mask, positions, scales, Huffman table). */
  onDiskBytes: number;
}

/** What {@link inspectBundle} returns. */
export interface InspectedBundle {
  fileBytes: number;
  /** The `.pofa` layout version (2 stores the tokenizer and task). */
  version: number;
  /** What the head answers and its label names (version 2). */
  task?: BundleTask;
  /** How text is tokenized (version 2). */
  tokenizer?: BundleTokenizer;
  config: { family: string; task: string; layers: number; hidden: number; vocabSize: number; maxPositions: number };
  quantization?: unknown;
  metadata?: Record<string, string>;
  tensors: InspectedBundleTensor[];
  /** The compression of the encoder Linear weights (`compressionReport`). */
  compression: CompressionReport;
}

function segmentBytes(entry: TensorEntry): number {
  if (entry.kind === 'dense') return entry.data.length;
  let bytes = entry.values.data.length;
  if (entry.values.coding === 'huffman') bytes += entry.values.lengths.length;
  if (entry.mask.coding !== 'full') bytes += entry.mask.data.length;
  if (entry.positions !== undefined) bytes += entry.positions.length;
  if (entry.scales !== undefined) bytes += entry.scales.length;
  return bytes;
}

/**
 * Per-tensor layout, dtype, bits, sparsity, nominal and on-disk bytes of a `.pofa` bundle (read and
 * validated with `readBundle`), with the encoder's compression report.
 *
 * @example
 * ```ts
 * const { tensors, compression } = await inspectBundle('pofa-out/bundles/sparse-int8.pofa');
 * console.log(compression.onDisk.toFixed(1)); // dense fp32 bytes / bytes on disk of the encoder Linear weights
 * ```
 */
export async function inspectBundle(path: string): Promise<InspectedBundle> {
  const bundle = await readBundle(path);
  const tensors = bundle.entries.map((entry): InspectedBundleTensor => {
    const tensor = bundle.tensors.get(entry.name);
    const count = entry.shape.reduce((product, size) => product * size, 1);
    if (tensor === undefined || !isPackedWeight(tensor)) {
      const data = tensor === undefined ? new Float32Array(0) : tensor.data;
      return { name: entry.name, format: 'dense', dtype: 'float32', shape: [...entry.shape], bits: 32, sparsity: count === 0 ? 0 : countZeros(data) / count, nominalBytes: count * 4, onDiskBytes: segmentBytes(entry) };
    }
    const nonZeros = tensor.values.length - countZeros(tensor.values);
    const bits = tensor.dtype === 'int8' ? 8 : 32;
    const format = tensor.format === 'block' ? `block ${tensor.block[0]}x${tensor.block[1]}` : tensor.format === 'nm' ? `nm ${tensor.n}:${tensor.m}` : tensor.format;
    return {
      name: entry.name, format, dtype: tensor.dtype, shape: [...entry.shape], bits,
      sparsity: 1 - nonZeros / count, nominalBytes: (nonZeros * bits) / 8, onDiskBytes: segmentBytes(entry),
    };
  });
  const { config } = bundle;
  return {
    fileBytes: bundle.fileBytes,
    version: bundle.version,
    ...(bundle.task === undefined ? {} : { task: bundle.task }),
    ...(bundle.tokenizer === undefined ? {} : { tokenizer: bundle.tokenizer }),
    config: { family: config.family, task: config.task, layers: config.numLayers, hidden: config.hiddenSize, vocabSize: config.vocabSize, maxPositions: config.maxPositions },
    ...(bundle.quantization === undefined ? {} : { quantization: bundle.quantization }),
    ...(bundle.metadata === undefined ? {} : { metadata: bundle.metadata }),
    tensors,
    compression: compressionReport(bundle),
  };
}
