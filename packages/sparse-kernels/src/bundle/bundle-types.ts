import type { PackedWeight } from '../formats/packed-weight';
import type { BundleTask, BundleTokenizer } from './bundle-deployment';
import type { BundleQuantization, TensorEntry } from './bundle-header';
import type { EncoderConfig } from './encoder-config';

/** A dense fp32 parameter: row-major `data` of `shape`. */
export interface DenseTensor {
  shape: number[];
  data: Float32Array;
}

/** A tensor of a bundle: a packed weight (any format, fp32 or int8) or a dense fp32 parameter. */
export type BundleTensor = PackedWeight | DenseTensor;

/** True for a packed weight, false for a dense parameter. */
export function isPackedWeight(tensor: BundleTensor): tensor is PackedWeight {
  return 'format' in tensor;
}

/** What {@link writeBundle} stores. */
export interface BundleContents {
  config: EncoderConfig;
  /** The tokenizer vocabulary, one token per id (`vocabSize` of them). */
  vocab?: readonly string[];
  /** How to tokenize text for this model (needs `vocab`). */
  tokenizer?: BundleTokenizer;
  /** What the head answers: task kind, label names (must fit the config's head). */
  task?: BundleTask;
  quantization?: BundleQuantization;
  /** Every parameter of the encoder and its head, by dotted name. */
  tensors: Readonly<Record<string, BundleTensor>> | ReadonlyMap<string, BundleTensor>;
  /** Free-form string notes (tool version, source checkpoint). */
  metadata?: Record<string, string>;
}

/** What {@link readBundle} returns: the contents plus the directory as stored. */
export interface Bundle {
  /** The layout version the file was written in (1 has no `tokenizer` or `task`). */
  version: number;
  config: EncoderConfig;
  vocab?: string[];
  tokenizer?: BundleTokenizer;
  task?: BundleTask;
  quantization?: BundleQuantization;
  tensors: Map<string, BundleTensor>;
  metadata?: Record<string, string>;
  /** The tensor directory of the header (codings, offsets, lengths), in canonical order. */
  entries: TensorEntry[];
  /** Bytes of the whole file. */
  fileBytes: number;
}
