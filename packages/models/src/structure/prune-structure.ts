import { ConfigError } from '@pofa/core';
import { layerStructure } from '../config/layer-structure';
import type { EncoderModel } from '../model';
import { layerLinearNames } from './layer-parameter-names';
import { rebuildSliced, type ParameterSlice } from './rebuild-sliced';

/** Indices to remove, by layer index (`{ 0: [1, 3], 2: [0] }`; keys may be strings, as in JSON). */
export type StructureToRemove = Readonly<Record<string | number, readonly number[]>>;

function layerCount(model: EncoderModel): number {
  return model.numLayers;
}

function checkedLayers(model: EncoderModel, remove: StructureToRemove, what: string): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (const [key, indices] of Object.entries(remove)) {
    const layer = Number(key);
    if (!Number.isInteger(layer) || layer < 0 || layer >= layerCount(model)) {
      throw new ConfigError(`Cannot prune ${what} of layer ${JSON.stringify(key)}`, {
        expected: `a layer index in [0, ${layerCount(model) - 1}]`,
        received: JSON.stringify(key),
      });
    }
    for (const index of indices) {
      if (!Number.isInteger(index) || index < 0) {
        throw new ConfigError(`Invalid ${what} index in layer ${layer}`, { expected: 'non-negative integers', received: JSON.stringify(indices) });
      }
    }
    out.push([layer, [...new Set(indices)]]);
  }
  return out;
}

function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

/**
 * Removes attention heads, as Hugging Face's `model.prune_heads(...)`: head indices are the
 * layer's ORIGINAL indices (heads already pruned are ignored), the kept heads keep their size
 * (`hidden / num_attention_heads`) and order, Q/K/V lose the rows and the attention output
 * projection the columns of the removed heads, and `pruned_heads` in the config records
 * them (so `savePretrained` writes a checkpoint `transformers` loads). Returns a NEW model of
 * the same class (same task, mode and raw weights; mask transforms sliced and kept); `model` is left
 * untouched, dispose it when done. A layer must keep at least one head.
 *
 * @example
 * ```ts
 * const smaller = pruneHeads(model, { 0: [1], 1: [0, 1] }); // layer 0 loses head 1, layer 1 heads 0 and 1
 * console.log(smaller.config.pruned_heads); // { '0': [1], '1': [0, 1] }
 * model.dispose();
 * ```
 */
export function pruneHeads<M extends EncoderModel>(model: M, heads: StructureToRemove): M {
  const slices = new Map<string, ParameterSlice>();
  const prunedHeads: Record<string, number[]> = { ...(model.config.pruned_heads ?? {}) };
  for (const [layer, requested] of checkedLayers(model, heads, 'heads')) {
    const structure = layerStructure(model.config, layer);
    const outside = requested.filter((head) => head >= model.numHeads);
    if (outside.length > 0) {
      throw new ConfigError(`Cannot prune heads ${outside.join(', ')} of layer ${layer}`, {
        expected: `head indices in [0, ${model.numHeads - 1}] (original indices, as in Hugging Face)`,
        received: JSON.stringify(requested),
      });
    }
    const removed = new Set(requested.filter((head) => structure.heads.includes(head)));
    if (removed.size === 0) continue;
    const kept = structure.heads.filter((head) => !removed.has(head));
    if (kept.length === 0) {
      throw new ConfigError(`Cannot prune every head of layer ${layer}`, {
        expected: 'at least one head kept per layer',
        received: `heads ${[...removed].join(', ')} of the remaining ${structure.heads.join(', ')}`,
        hint: 'Keep one head (mask it instead) if the layer should contribute nothing',
      });
    }
    const rows = kept.flatMap((head) => range(structure.heads.indexOf(head) * structure.headSize, structure.headSize));
    const names = layerLinearNames(model.family, layer);
    for (const linear of [names.query, names.key, names.value]) {
      slices.set(`${linear}.weight`, { axis: 0, indices: rows });
      slices.set(`${linear}.bias`, { axis: 0, indices: rows });
    }
    slices.set(`${names.attentionOutput}.weight`, { axis: 1, indices: rows });
    prunedHeads[String(layer)] = [...(prunedHeads[String(layer)] ?? []), ...removed].sort((a, b) => a - b);
  }
  return rebuildSliced(model, { ...model.config, pruned_heads: prunedHeads }, slices) as M;
}

/**
 * Removes FFN neurons (indices into the layer's CURRENT intermediate width): the FFN's
 * first projection loses those rows (and bias entries), the second those columns. The
 * config records the new widths in pofa's `intermediate_sizes` (one per layer) or, when
 * every layer ends up with the same width, in the standard `intermediate_size` /
 * `hidden_dim` (then `transformers` can load the saved checkpoint). Returns a NEW model, as
 * {@link pruneHeads} does. A layer must keep at least one neuron.
 *
 * @example
 * ```ts
 * const smaller = pruneFfnNeurons(model, { 0: [5, 9], 1: [0] });
 * console.log(smaller.config.intermediate_sizes); // [510, 511] for bert-tiny
 * ```
 */
export function pruneFfnNeurons<M extends EncoderModel>(model: M, neurons: StructureToRemove): M {
  const slices = new Map<string, ParameterSlice>();
  const sizes = range(0, model.numLayers).map((layer) => layerStructure(model.config, layer).intermediateSize);
  for (const [layer, requested] of checkedLayers(model, neurons, 'FFN neurons')) {
    const width = sizes[layer];
    const outside = requested.filter((neuron) => neuron >= width);
    if (outside.length > 0) {
      throw new ConfigError(`Cannot prune FFN neurons ${outside.join(', ')} of layer ${layer}`, {
        expected: `neuron indices in [0, ${width - 1}] (the layer's current width)`,
        received: JSON.stringify(requested),
      });
    }
    if (requested.length === 0) continue;
    const removed = new Set(requested);
    const kept = range(0, width).filter((neuron) => !removed.has(neuron));
    if (kept.length === 0) {
      throw new ConfigError(`Cannot prune every FFN neuron of layer ${layer}`, {
        expected: 'at least one neuron kept per layer',
        received: `${removed.size} of ${width}`,
        hint: 'Keep one neuron (mask it instead) if the FFN should contribute nothing',
      });
    }
    const names = layerLinearNames(model.family, layer);
    slices.set(`${names.intermediate}.weight`, { axis: 0, indices: kept });
    slices.set(`${names.intermediate}.bias`, { axis: 0, indices: kept });
    slices.set(`${names.ffnOutput}.weight`, { axis: 1, indices: kept });
    sizes[layer] = kept.length;
  }
  const { intermediate_sizes: _previous, ...config } = model.config as Record<string, unknown>;
  const uniformField = model.family === 'bert' ? 'intermediate_size' : 'hidden_dim';
  const widths = sizes.every((size) => size === sizes[0]) ? { [uniformField]: sizes[0] } : { intermediate_sizes: sizes };
  return rebuildSliced(model, { ...config, ...widths }, slices) as M;
}
