import { createMaskTransform, initBackend, tf } from '@pofa/core';
import { pruneFfnNeurons, pruneHeads, sequenceClassificationLoss, type BertModel } from '@pofa/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, maxDifference, outputsOf, tinyBert, toyBatch, toyBert } from './__fixtures__/toy-models';
import { activeWidth, ELASTIC_WIDTH_TRANSFORM_KIND, removeElasticWidth, setActiveWidth } from './elastic-width';
import { modelInputs } from './importance';
import { supernetLayers } from './supernet-layers';
import { DEFAULT_WIDTH_MULTIPLIERS, type Width } from './width';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const from = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i);

/** The same weights physically sliced to the first `heads` heads and `ffn` neurons of each layer. */
function sliced(make: () => BertModel, heads: number, ffn: number): BertModel {
  let model = make();
  const drop = (kept: number, size: number) => Object.fromEntries(from(0, model.numLayers).map((layer) => [layer, from(kept, size)]));
  if (heads < model.numHeads) {
    const next = pruneHeads(model, drop(heads, model.numHeads)) as BertModel;
    model.dispose();
    model = next;
  }
  if (ffn < model.config.intermediate_size) {
    const next = pruneFfnNeurons(model, drop(ffn, model.config.intermediate_size)) as BertModel;
    model.dispose();
    model = next;
  }
  return model;
}

describe('setActiveWidth', () => {
  it.each([
    ['4 heads', () => toyBert(13), 13, [4, 3, 3, 2], 24],
    ['bert-tiny', () => tinyBert(14), 14, [2, 2, 1, 1], 512],
  ] as Array<[string, () => BertModel, number, number[], number]>)('computes the physically sliced sub-network (%s)', (_name, make, seed, heads, ffn) => {
    const supernet = make();
    const probe = toyBatch(seed, 3, 8, 30, 2);
    const full = outputsOf(supernet, probe);
    DEFAULT_WIDTH_MULTIPLIERS.forEach((width, index) => {
      const resolved = setActiveWidth(supernet, width);
      expect(resolved.heads).toBe(heads[index]);
      expect(resolved.ffn).toBe((heads[index] * ffn) / supernet.numHeads);
      const reference = sliced(make, resolved.heads, resolved.ffn);
      const expected = outputsOf(reference, probe);
      const actual = outputsOf(supernet, probe);
      expect(maxDifference(actual.logits, expected.logits)).toBeLessThan(1e-5);
      expected.hidden.forEach((state, i) => expect(maxDifference(actual.hidden[i], state)).toBeLessThan(1e-5));
      if (index === 3) expect(maxDifference(actual.hidden[2], full.hidden[2])).toBeGreaterThan(1e-2); // the width matters
      reference.dispose();
    });
    setActiveWidth(supernet, { heads: 0.5, ffn: 1 });
    const reference = sliced(make, heads[3], ffn);
    expect(maxDifference(outputsOf(supernet, probe).logits, outputsOf(reference, probe).logits)).toBeLessThan(1e-5);
    reference.dispose();
    setActiveWidth(supernet, 1);
    expect(outputsOf(supernet, probe).logits).toEqual(full.logits);
    disposeBatch(probe);
    supernet.dispose();
  });

  it('gives inactive heads and neurons zero gradient', () => {
    const model = toyBert(15);
    const batch = toyBatch(51);
    setActiveWidth(model, 0.5); // 2 of 4 heads (head size 4), 12 of 24 neurons
    const [layer] = supernetLayers(model);
    const watched = [layer.query.weight, layer.key.weight, layer.value.weight, layer.attentionOutput.weight, layer.intermediate.weight, layer.ffnOutput.weight];
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = model.forward(modelInputs(model, batch), { training: false });
      return sequenceClassificationLoss(logits!, batch.labels);
    }, watched.map((parameter) => parameter.variable));
    const gradient = (index: number) => grads[watched[index].variable.name].arraySync() as number[][];
    const absolute = (rows: number[][]) => rows.flat().reduce((sum, value) => sum + Math.abs(value), 0);
    for (const index of [0, 1, 2]) {
      expect(absolute(gradient(index).slice(8))).toBe(0);
      expect(absolute(gradient(index).slice(0, 8))).toBeGreaterThan(0);
    }
    expect(absolute(gradient(3).map((row) => row.slice(8)))).toBe(0);
    expect(absolute(gradient(4).slice(12))).toBe(0);
    expect(absolute(gradient(5).map((row) => row.slice(12)))).toBe(0);
    expect(absolute(gradient(5).map((row) => row.slice(0, 12)))).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    disposeBatch(batch);
    model.dispose();
  });

  it('composes with a sparsity mask, switches widths without leaking, and can be removed', () => {
    const model = toyBert(16);
    const probe = toyBatch(61);
    const [layer] = supernetLayers(model);
    const weight = layer.ffnOutput.weight;
    weight.addTransform(createMaskTransform(tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(weight.shape, 0, 1, 'float32', 3), 0.3), 'float32'))));
    const sparseFull = outputsOf(model, probe);
    const sparseWeight = tf.tidy(() => tf.clone(weight.value()));
    setActiveWidth(model, 0.5);
    expect(weight.transforms.map((transform) => transform.kind)).toEqual(['core/mask', ELASTIC_WIDTH_TRANSFORM_KIND]);
    const both = weight.value().arraySync() as number[][];
    const sparse = sparseWeight.arraySync() as number[][];
    both.forEach((row, r) => row.forEach((value, c) => expect(value + 0).toBe(c < 12 ? sparse[r][c] + 0 : 0)));
    const widths: Width[] = [1, 0.833, 0.667, 0.5];
    for (const width of widths) setActiveWidth(model, width);
    const tensors = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) for (const width of widths) setActiveWidth(model, width);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(activeWidth(model)).toEqual({ heads: 2, ffn: 12 });
    removeElasticWidth(model);
    expect(activeWidth(model)).toBeUndefined();
    expect(weight.transforms.map((transform) => transform.kind)).toEqual(['core/mask']);
    expect(outputsOf(model, probe).logits).toEqual(sparseFull.logits);
    tf.dispose(sparseWeight);
    disposeBatch(probe);
    model.dispose();
  });
});
