import { ConfigError, createMaskTransform, tf, type MaskTransform } from '@pofa/core';
import { layerLinearNames, layerStructure, type EncoderModel } from '@pofa/models';
import type { StructureImportance } from './structure-importance';

/** How many heads / neurons to keep, per layer or over the whole model. */
export interface StructuredKeep {
  /** Heads to keep: per layer (`scope: 'layer'`) or in all (`scope: 'global'`). Absent: heads untouched. */
  heads?: number;
  /** FFN neurons to keep, per layer or in all. Absent: neurons untouched. */
  neurons?: number;
  /** `layer` (default): the top-k of each layer; `global`: the top-k over all layers (a layer may lose every one). */
  scope?: 'layer' | 'global';
}

/** What {@link structuredMasks} kept (current indices per layer) and the transforms it added. */
export interface StructuredMaskResult {
  heads: number[][];
  neurons: number[][];
  transforms: Array<{ name: string; transform: MaskTransform }>;
}

function topIndices(scores: number[][], keep: number | undefined, scope: 'layer' | 'global', what: string): number[][] {
  if (keep === undefined) return scores.map((layer) => layer.map((_, index) => index));
  const total = scores.reduce((sum, layer) => sum + layer.length, 0);
  const limit = scope === 'layer' ? Math.min(...scores.map((layer) => layer.length)) : total;
  if (!Number.isInteger(keep) || keep < 1 || keep > limit) {
    throw new ConfigError(`Invalid number of ${what} to keep`, {
      expected: `an integer in [1, ${limit}] (${scope === 'layer' ? 'per layer' : 'over all layers'})`,
      received: String(keep),
    });
  }
  const order = (entries: Array<[number, number, number]>) =>
    entries.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
  const kept = scores.map(() => [] as number[]);
  if (scope === 'layer') {
    scores.forEach((layer, l) => {
      for (const [, index] of order(layer.map((score, i) => [l, i, score])).slice(0, keep)) kept[l].push(index);
    });
  } else {
    for (const [l, index] of order(scores.flatMap((layer, l) => layer.map((score, i): [number, number, number] => [l, i, score]))).slice(0, keep)) kept[l].push(index);
  }
  return kept.map((layer) => layer.sort((a, b) => a - b));
}

/** A 0/1 tensor of `shape` keeping the given rows (axis 0) or columns (axis 1). */
function keepMask(shape: number[], axis: 0 | 1, keep: Set<number>): tf.Tensor {
  const values = new Float32Array(shape.reduce((product, size) => product * size, 1));
  const columns = shape.length === 2 ? shape[1] : 1;
  for (let i = 0; i < values.length; i++) values[i] = keep.has(axis === 0 ? Math.floor(i / columns) : i % columns) ? 1 : 0;
  return tf.tensor(values, shape, 'float32');
}

/**
 * Keeps the `heads` / `neurons` most important heads and FFN neurons (per layer, or over all
 * layers with `scope: 'global'`; ties to the lower index) and masks the rest with mask
 * transforms (added last in each chain): a head's Q/K/V rows and biases and its
 * attention-output columns; a neuron's intermediate row and bias and its output column. The
 * masked model computes exactly what {@link removeMaskedStructure}'s smaller model computes.
 *
 * @example
 * ```ts
 * const importance = computeStructureImportance(model, batches, loss);
 * const { heads } = structuredMasks(model, importance, { heads: 8, neurons: 2048 });
 * ```
 */
export function structuredMasks(model: EncoderModel, importance: StructureImportance, keep: StructuredKeep): StructuredMaskResult {
  const scope = keep.scope ?? 'layer';
  const heads = topIndices(importance.heads, keep.heads, scope, 'heads');
  const neurons = topIndices(importance.neurons, keep.neurons, scope, 'FFN neurons');
  const transforms: StructuredMaskResult['transforms'] = [];
  const add = (name: string, axis: 0 | 1, indices: Set<number>) => {
    const parameter = model.getParameter(name)!;
    const transform = createMaskTransform(keepMask(parameter.shape, axis, indices));
    parameter.addTransform(transform);
    transforms.push({ name, transform });
  };
  for (let layer = 0; layer < model.numLayers; layer++) {
    const names = layerLinearNames(model.family, layer);
    const { headSize, heads: current, intermediateSize } = layerStructure(model.config, layer);
    if (keep.heads !== undefined && heads[layer].length < current.length) {
      const rows = new Set(heads[layer].flatMap((head) => Array.from({ length: headSize }, (_, i) => head * headSize + i)));
      for (const linear of [names.query, names.key, names.value]) {
        add(`${linear}.weight`, 0, rows);
        add(`${linear}.bias`, 0, rows);
      }
      add(`${names.attentionOutput}.weight`, 1, rows);
    }
    if (keep.neurons !== undefined && neurons[layer].length < intermediateSize) {
      const kept = new Set(neurons[layer]);
      add(`${names.intermediate}.weight`, 0, kept);
      add(`${names.intermediate}.bias`, 0, kept);
      add(`${names.ffnOutput}.weight`, 1, kept);
    }
  }
  return { heads, neurons, transforms };
}
