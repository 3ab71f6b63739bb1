import { createMaskTransform, createRandom, initBackend, tf, type ModifierContext } from '@pofa/core';
import { BertModel, DistilBertModel, IGNORE_INDEX, layerLinearNames, maskedLmLoss, presetConfig, type BertConfig, type EncoderModel } from '@pofa/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { removeMaskedStructure } from './remove-masked-structure';
import { computeStructureImportance, magnitudeStructureImportance } from './structure-importance';
import { structuredMasks, type StructuredKeep } from './structured-masks';
import { createStructuredPruningModifier } from './structured-pruning-modifier';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const inputIds = [[2, 5, 7, 3, 9, 4], [2, 9, 3, 11, 6, 0]];
const attentionMask = [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]];
const labels = [[IGNORE_INDEX, 7, IGNORE_INDEX, IGNORE_INDEX, 4, IGNORE_INDEX], [8, IGNORE_INDEX, IGNORE_INDEX, 10, IGNORE_INDEX, IGNORE_INDEX]];
interface Batch { inputIds: number[][]; labels: number[][] }
const batches: Batch[] = [{ inputIds, labels }, { inputIds: [inputIds[1], inputIds[0]], labels: [labels[1], labels[0]] }];
const loss = (model: EncoderModel, batch: Batch) =>
  tf.tidy(() => maskedLmLoss(model.forward({ inputIds: batch.inputIds, attentionMask }).logits!, tf.tensor2d(batch.labels, undefined, 'int32')));

// A wider initialisation than BERT's 0.02 gives importances well above float32 finite-difference noise.
const bertTiny = () => new BertModel(presetConfig('bert-tiny', { vocab_size: 16, max_position_embeddings: 8, initializer_range: 0.2 }) as BertConfig, { task: 'masked-lm', seed: 2 });
const distilLike = () => new DistilBertModel({ vocab_size: 16, dim: 32, n_layers: 2, n_heads: 4, hidden_dim: 48, max_position_embeddings: 8 }, { task: 'masked-lm', seed: 3 });

function logits(model: EncoderModel): number[] {
  const outputs = model.forward({ inputIds, attentionMask }, { training: false });
  const values = Array.from(outputs.logits!.dataSync());
  tf.dispose(outputs as unknown as tf.TensorContainer);
  return values;
}

/** ∂L/∂g of a gate g scaling some of a weight's rows or columns, by central differences, per batch. */
function gateDerivative(model: EncoderModel, name: string, axis: 0 | 1, indices: number[], batch: Batch, epsilon = 0.05): number {
  const parameter = model.getParameter(name)!;
  const shape = parameter.shape;
  const at = (scale: number) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1);
    const columns = shape.length === 2 ? shape[1] : 1;
    for (let i = 0; i < values.length; i++) if (indices.includes(axis === 0 ? Math.floor(i / columns) : i % columns)) values[i] = scale;
    const gate = createMaskTransform(tf.tensor(values, shape));
    parameter.addTransform(gate);
    const value = loss(model, batch);
    const result = value.dataSync()[0];
    value.dispose();
    parameter.removeTransform(gate)?.dispose?.();
    return result;
  };
  return (at(1 + epsilon) - at(1 - epsilon)) / (2 * epsilon);
}

describe('computeStructureImportance', () => {
  it('equals |∂L/∂gate| of PaddleSlim\'s head mask and neuron gates (finite differences), summed over batches', () => {
    const model = bertTiny().eval();
    const { heads, neurons } = computeStructureImportance(model, batches, loss);
    expect(heads.map((layer) => layer.length)).toEqual([2, 2]);
    expect(neurons.map((layer) => layer.length)).toEqual([512, 512]);
    const names = layerLinearNames('bert', 1);
    for (const head of [0, 1]) {
      const columns = Array.from({ length: 64 }, (_, i) => head * 64 + i);
      const expected = batches.reduce((sum, batch) => sum + Math.abs(gateDerivative(model, `${names.attentionOutput}.weight`, 1, columns, batch)), 0);
      expect(Math.abs(heads[1][head] - expected) / expected).toBeLessThan(0.02);
    }
    for (const neuron of [0, 17]) {
      // A gate on the pre-activation (row and bias) and one on the post-activation (output column).
      const expected = batches.reduce(
        (sum, batch) => sum + Math.abs(gateRowAndBias(model, names.intermediate, neuron, batch)) + Math.abs(gateDerivative(model, `${names.ffnOutput}.weight`, 1, [neuron], batch)),
        0,
      );
      expect(Math.abs(neurons[1][neuron] - expected) / expected).toBeLessThan(0.02);
    }
    model.dispose();
  });
});

/** ∂L/∂g for a gate scaling one intermediate row and its bias together. */
function gateRowAndBias(model: EncoderModel, linear: string, neuron: number, batch: Batch, epsilon = 0.05): number {
  const weight = model.getParameter(`${linear}.weight`)!;
  const bias = model.getParameter(`${linear}.bias`)!;
  const [rows, columns] = weight.shape;
  const value = (scale: number) => {
    const rowGate = new Float32Array(rows * columns).fill(1).fill(scale, neuron * columns, (neuron + 1) * columns);
    const biasGate = new Float32Array(rows).fill(1);
    biasGate[neuron] = scale;
    const gates = [createMaskTransform(tf.tensor(rowGate, weight.shape)), createMaskTransform(tf.tensor(biasGate, bias.shape))];
    weight.addTransform(gates[0]);
    bias.addTransform(gates[1]);
    const result = loss(model, batch);
    const number = result.dataSync()[0];
    result.dispose();
    weight.removeTransform(gates[0])?.dispose?.();
    bias.removeTransform(gates[1])?.dispose?.();
    return number;
  };
  return (value(1 + epsilon) - value(1 - epsilon)) / (2 * epsilon);
}

describe('structuredMasks and removeMaskedStructure', () => {
  it.each<[string, () => EncoderModel, StructuredKeep & { heads: number; neurons: number }]>([
    ['bert-tiny', bertTiny, { heads: 1, neurons: 200 }],
    ['a distilbert-like model', distilLike, { heads: 2, neurons: 20 }],
    ['bert-tiny, global scope', bertTiny, { heads: 1, neurons: 700, scope: 'global' as const }],
  ])('gives a smaller %s whose outputs equal the masked model\'s to 1e-5', (_label, make, keep) => {
    const model = make().eval();
    const importance = computeStructureImportance(model, batches, loss);
    const kept = structuredMasks(model, importance, keep);
    const totalHeads = kept.heads.reduce((sum, layer) => sum + layer.length, 0);
    if (keep.scope === 'global') expect(totalHeads).toBe(keep.heads);
    else expect(kept.heads.every((layer) => layer.length === keep.heads)).toBe(true);
    const smaller = removeMaskedStructure(model);
    const expected = logits(model);
    const actual = logits(smaller);
    expect(Math.max(...actual.map((value, i) => Math.abs(value - expected[i])))).toBeLessThan(1e-5);
    expect(smaller.parameterCount()).toBeLessThan(model.parameterCount());
    if (keep.scope !== 'global') {
      const names = layerLinearNames(model.family, 0);
      const headSize = model.hiddenSize / model.numHeads;
      expect(smaller.getParameter(`${names.query}.weight`)!.shape[0]).toBe(keep.heads * headSize);
      expect(smaller.getParameter(`${names.intermediate}.weight`)!.shape[0]).toBe(keep.neurons);
    }
    model.dispose();
    smaller.dispose();
  });

  it('rejects keeping more heads than a layer has', () => {
    const model = bertTiny();
    expect(() => structuredMasks(model, magnitudeStructureImportance(model), { heads: 3 })).toThrow(/\[1, 2\]/);
    model.dispose();
  });
});

describe('createStructuredPruningModifier', () => {
  it('masks at its start step and re-creates its masks from state on resume', () => {
    const context = (model: EncoderModel, step: number): ModifierContext => ({ model, step, random: createRandom(0), log: () => {} });
    const model = bertTiny();
    const modifier = createStructuredPruningModifier({ start: 2, heads: 1, neurons: 100, calibration: { batches, loss } });
    modifier.initialize(context(model, 0));
    modifier.update(context(model, 1));
    expect(modifier.result()).toBeUndefined();
    modifier.update(context(model, 2));
    expect(modifier.result()!.heads.map((layer) => layer.length)).toEqual([1, 1]);
    const resumedModel = bertTiny();
    const resumed = createStructuredPruningModifier({ start: 2, heads: 1, neurons: 100 });
    resumed.initialize(context(resumedModel, 0));
    resumed.loadState(modifier.state());
    expect(resumed.result()!.heads).toEqual(modifier.result()!.heads);
    expect(resumed.result()!.neurons).toEqual(modifier.result()!.neurons);
    expect(() => createStructuredPruningModifier({})).toThrow(/heads/);
    model.dispose();
    resumedModel.dispose();
  });
});
