import { join } from 'node:path';
import { ENCODER_LINEAR_WEIGHTS, matchesTarget, PofaError } from '@pofa/core';
import { checkpointWeightFiles, createModelConfig, readConfigJson, resolveArchitecture } from '@pofa/models';
import { inspectSafetensors, type InspectedTensor } from './safetensors-stats';

/** The encoder Linear weights of one layer, as {@link inspectCheckpoint} reports them. */
export interface InspectedLayer {
  layer: number;
  /** Elements of the layer's attention and FFN Linear weights. */
  parameters: number;
  /** Fraction of them that are exactly zero. */
  sparsity: number;
}

/** What {@link inspectCheckpoint} returns for a Hugging Face checkpoint directory. */
export interface InspectedCheckpoint {
  dir: string;
  /** `bert` or `distilbert`, or the config's `model_type` when pofa cannot load it. */
  family: string;
  /** The head of `architectures[0]` (`masked-lm`, `sequence-classification`, ...), or the architecture's name when pofa cannot load it. */
  task: string;
  /** Whether `loadPretrained` reads this architecture (false: `note` says why). */
  supported: boolean;
  note?: string;
  config: Record<string, unknown>;
  /** The weight files (one `model.safetensors`, or the shards of its index) and their sizes. */
  files: Array<{ path: string; bytes: number }>;
  fileBytes: number;
  /** Storage dtypes of the tensors (`F32`, `F16`, `BF16`, ...). */
  dtypes: string[];
  /** Elements of every tensor in the files (a tied decoder is not stored, so not counted). */
  parameters: number;
  /** Fraction of zeros over every tensor. */
  sparsity: number;
  /** The encoder Linear weights (attention Q, K, V, output; FFN in, out): what the paper prunes. */
  encoder: { parameters: number; sparsity: number };
  layers: InspectedLayer[];
  tensors: InspectedTensor[];
}

const LAYER = /(?:^|\.)(?:encoder|transformer)\.layer\.(\d+)\./;

/**
 * What a Hugging Face checkpoint directory holds: its config, family and task, parameter count,
 * storage dtypes, and the sparsity of every tensor, of the encoder Linear weights overall and per
 * layer. Reads `config.json` and streams the weight files (sharded checkpoints too), so memory
 * stays small whatever the model's size.
 *
 * @example
 * ```ts
 * const report = await inspectCheckpoint('checkpoints/bert-base-uncased-90');
 * console.log(report.encoder.sparsity, report.layers.map((layer) => layer.sparsity));
 * ```
 */
export async function inspectCheckpoint(dir: string): Promise<InspectedCheckpoint> {
  const config = await readConfigJson(dir);
  let identity: Pick<InspectedCheckpoint, 'family' | 'task' | 'supported' | 'note'>;
  try {
    const { family, task } = resolveArchitecture(config, undefined, join(dir, 'config.json'));
    // A known architecture with sizes that cannot build a model (heads that do not divide the width, ...).
    let note: string | undefined;
    try {
      createModelConfig({ ...config, model_type: family });
    } catch (error) {
      if (!PofaError.isInstance(error)) throw error;
      note = error.message;
    }
    identity = note === undefined ? { family, task, supported: true } : { family, task, supported: false, note };
  } catch (error) {
    if (!PofaError.isInstance(error)) throw error;
    const architectures = Array.isArray(config.architectures) ? config.architectures : [];
    identity = { family: String(config.model_type ?? 'unknown'), task: String(architectures[0] ?? 'unknown'), supported: false, note: error.message };
  }
  const weights = await checkpointWeightFiles(dir);
  const files: InspectedCheckpoint['files'] = [];
  const tensors: InspectedTensor[] = [];
  for (const path of weights.files) {
    const stats = await inspectSafetensors(path);
    files.push({ path, bytes: stats.fileBytes });
    tensors.push(...stats.tensors);
  }
  tensors.sort((a, b) => (a.name < b.name ? -1 : 1));
  const count = (tensor: InspectedTensor) => tensor.shape.reduce((product, size) => product * size, 1);
  const layers = new Map<number, { parameters: number; zeros: number }>();
  let parameters = 0;
  let zeros = 0;
  for (const tensor of tensors) {
    const elements = count(tensor);
    // sparsity is zeros / elements: rounding gives the count back exactly.
    const tensorZeros = Math.round(tensor.sparsity * elements);
    parameters += elements;
    zeros += tensorZeros;
    const layer = LAYER.exec(tensor.name);
    if (layer === null || !ENCODER_LINEAR_WEIGHTS.some((pattern) => matchesTarget(tensor.name, pattern))) continue;
    const entry = layers.get(Number(layer[1])) ?? { parameters: 0, zeros: 0 };
    entry.parameters += elements;
    entry.zeros += tensorZeros;
    layers.set(Number(layer[1]), entry);
  }
  const perLayer = [...layers].sort(([a], [b]) => a - b).map(([layer, entry]) => ({ layer, parameters: entry.parameters, sparsity: entry.zeros / Math.max(1, entry.parameters) }));
  const encoderParameters = perLayer.reduce((sum, layer) => sum + layer.parameters, 0);
  const encoderZeros = [...layers.values()].reduce((sum, layer) => sum + layer.zeros, 0);
  return {
    dir,
    ...identity,
    config,
    files,
    fileBytes: files.reduce((sum, file) => sum + file.bytes, 0),
    dtypes: [...new Set(tensors.map((tensor) => tensor.dtype))].sort(),
    parameters,
    sparsity: zeros / Math.max(1, parameters),
    encoder: { parameters: encoderParameters, sparsity: encoderZeros / Math.max(1, encoderParameters) },
    layers: perLayer,
    tensors,
  };
}
