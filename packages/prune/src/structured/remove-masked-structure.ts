import { effectiveValues } from '@pofa/core';
import { layerLinearNames, layerStructure, pruneFfnNeurons, pruneHeads, type EncoderModel } from '@pofa/models';

/** Indices (0-based, current) whose columns of `weight` are all zero in the effective weight. */
function zeroColumns(model: EncoderModel, name: string): Set<number> {
  const parameter = model.getParameter(name)!;
  const [rows, columns] = parameter.shape;
  const values = effectiveValues(parameter);
  const zero = new Set<number>();
  for (let c = 0; c < columns; c++) {
    let all = true;
    for (let r = 0; r < rows && all; r++) all = values[r * columns + c] === 0;
    if (all) zero.add(c);
  }
  return zero;
}

/**
 * The physically smaller model of a structurally masked one: every head whose
 * attention-output columns are all zero (effective weights) and every FFN neuron whose output
 * column is all zero contributes nothing, so it is removed with `pruneHeads` /
 * `pruneFfnNeurons` of `@pofa/models`; the new model computes the same outputs (to float
 * rounding). A layer keeps at least one head and one neuron (Linear layers cannot be empty): if
 * all are masked, the first stays, still masked. Mask transforms are sliced and kept; other
 * transforms are a `ConfigError`. Returns a NEW model; `model` is left as it is.
 *
 * @example
 * ```ts
 * structuredMasks(model, importance, { heads: 1, neurons: 256 });
 * const smaller = removeMaskedStructure(model); // bert-tiny: 1 head and 256 neurons per layer
 * ```
 */
export function removeMaskedStructure(model: EncoderModel): EncoderModel {
  const heads: Record<number, number[]> = {};
  const neurons: Record<number, number[]> = {};
  for (let layer = 0; layer < model.numLayers; layer++) {
    const names = layerLinearNames(model.family, layer);
    const structure = layerStructure(model.config, layer);
    const zeroInputs = zeroColumns(model, `${names.attentionOutput}.weight`);
    const deadHeads = structure.heads.filter((_, position) =>
      Array.from({ length: structure.headSize }, (_, i) => position * structure.headSize + i).every((column) => zeroInputs.has(column)),
    );
    heads[layer] = deadHeads.length === structure.heads.length ? deadHeads.slice(1) : deadHeads;
    const deadNeurons = [...zeroColumns(model, `${names.ffnOutput}.weight`)].sort((a, b) => a - b);
    neurons[layer] = deadNeurons.length === structure.intermediateSize ? deadNeurons.slice(1) : deadNeurons;
  }
  const withoutHeads = pruneHeads(model, heads);
  try {
    return pruneFfnNeurons(withoutHeads, neurons);
  } finally {
    withoutHeads.dispose();
  }
}
