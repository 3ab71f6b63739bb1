import { ConfigError, createMaskTransform, initBackend, tf, type MaskTransform } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, maxDifference, outputsOf, toyBatch, toyBert, toyDistilBert } from './__fixtures__/toy-models';
import { setActiveWidth } from './elastic-width';
import { computeImportance } from './importance';
import { importanceOrder, permuteStructure, reorderByImportance } from './reorder';
import { supernetLayers } from './supernet-layers';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const rowsOf = (tensor: tf.Tensor) => tensor.arraySync() as number[][];

describe('importanceOrder', () => {
  it('sorts descending and keeps ties in index order', () => {
    expect(importanceOrder([0.1, 0.7, 0.3])).toEqual([1, 2, 0]);
    expect(importanceOrder([2, 5, 2, 5])).toEqual([1, 3, 0, 2]);
  });
});

describe('permuteStructure', () => {
  it('moves head-sized row groups, output columns and neurons to the given order', () => {
    const model = toyBert(7);
    const [layer] = supernetLayers(model);
    const query = rowsOf(layer.query.weight.variable);
    const valueBias = Array.from(layer.value.bias!.variable.dataSync());
    const output = rowsOf(layer.attentionOutput.weight.variable);
    const intermediate = rowsOf(layer.intermediate.weight.variable);
    const ffnOutput = rowsOf(layer.ffnOutput.weight.variable);
    const neurons = Array.from({ length: 24 }, (_, i) => 23 - i);
    permuteStructure(model, { heads: [[2, 0, 3, 1], [0, 1, 2, 3]], neurons: [neurons, neurons] });
    // Head size 4: new head 0 = old head 2 (rows 8..11), new head 1 = old head 0 (rows 0..3).
    expect(rowsOf(layer.query.weight.variable).slice(0, 4)).toEqual(query.slice(8, 12));
    expect(rowsOf(layer.query.weight.variable).slice(4, 8)).toEqual(query.slice(0, 4));
    expect(Array.from(layer.value.bias!.variable.dataSync()).slice(12, 16)).toEqual(valueBias.slice(4, 8));
    expect(rowsOf(layer.attentionOutput.weight.variable)[5].slice(0, 4)).toEqual(output[5].slice(8, 12));
    expect(rowsOf(layer.intermediate.weight.variable)[0]).toEqual(intermediate[23]);
    expect(rowsOf(layer.ffnOutput.weight.variable)[3][1]).toBe(ffnOutput[3][22]);
    model.dispose();
  });

  it('rejects orders that are not permutations and refuses elastic-width masks', () => {
    const model = toyBert(8);
    const identity = { heads: [[0, 1, 2, 3], [0, 1, 2, 3]], neurons: [[...Array(24).keys()], [...Array(24).keys()]] };
    expect(() => permuteStructure(model, { ...identity, heads: [[0, 1, 1, 3], [0, 1, 2, 3]] })).toThrow(ConfigError);
    expect(() => permuteStructure(model, { ...identity, neurons: [[0, 1]] })).toThrow(ConfigError);
    setActiveWidth(model, 0.5);
    expect(() => permuteStructure(model, identity)).toThrow(/Reorder before setActiveWidth/);
    model.dispose();
  });
});

describe('reorderByImportance', () => {
  it.each([
    ['BERT', () => toyBert(9)],
    ['DistilBERT', () => toyDistilBert(10)],
  ] as Array<[string, () => EncoderModel]>)('keeps the outputs (%s) and sorts importance descending', (_name, make) => {
    const model = make();
    const calibration = [toyBatch(31), toyBatch(32)];
    const probe = toyBatch(33, 4, 9);
    const before = outputsOf(model, probe);
    const importance = computeImportance(model, calibration);
    const order = reorderByImportance(model, importance);
    expect(order.heads[0].map((head) => importance.heads[0][head])).toEqual([...importance.heads[0]].sort((a, b) => b - a));
    const after = outputsOf(model, probe);
    expect(maxDifference(after.logits, before.logits)).toBeLessThan(1e-5);
    before.hidden.forEach((state, i) => expect(maxDifference(after.hidden[i], state)).toBeLessThan(1e-5));
    const again = computeImportance(model, calibration);
    for (const scores of [...again.heads, ...again.neurons]) {
      scores.slice(1).forEach((score, i) => expect(score).toBeLessThanOrEqual(scores[i] * (1 + 1e-5) + 1e-9));
    }
    // The recomputed scores are the old ones in the new order.
    const relative = Math.max(...again.neurons[1].map((score, i) => Math.abs(score - importance.neurons[1][order.neurons[1][i]]) / Math.max(...importance.neurons[1])));
    expect(relative).toBeLessThan(1e-4);
    [...calibration, probe].forEach(disposeBatch);
    model.dispose();
  });

  it('permutes sparsity masks along with the weights', () => {
    const model = toyBert(12);
    const probe = toyBatch(41);
    const [layer] = supernetLayers(model);
    const weight = layer.intermediate.weight;
    const mask = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(weight.shape, 0, 1, 'float32', 5), 0.5), 'float32'));
    const maskRows = rowsOf(mask);
    weight.addTransform(createMaskTransform(mask));
    const before = outputsOf(model, probe);
    const effective = tf.tidy(() => tf.clone(weight.value()));
    const neurons = Array.from({ length: 24 }, (_, i) => (i * 5) % 24);
    permuteStructure(model, { heads: [[3, 2, 1, 0], [1, 0, 3, 2]], neurons: [neurons, neurons] });
    expect(maxDifference(outputsOf(model, probe).logits, before.logits)).toBeLessThan(1e-5);
    const permuted = (weight.findTransform('core/mask') as MaskTransform).mask;
    expect(rowsOf(permuted)[1]).toEqual(maskRows[5]);
    expect(rowsOf(tf.tidy(() => tf.clone(weight.value())))[1]).toEqual(rowsOf(effective)[5]);
    tf.dispose(effective);
    disposeBatch(probe);
    model.dispose();
  });
});
