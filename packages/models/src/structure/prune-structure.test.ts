import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createMaskTransform, initBackend, tf } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BertModel } from '../bert/bert-model';
import { loadPretrained } from '../checkpoint/load-pretrained';
import { savePretrained } from '../checkpoint/save-pretrained';
import { createBertConfig } from '../config/bert-config';
import { createDistilBertConfig } from '../config/distilbert-config';
import { DistilBertModel } from '../distilbert/distilbert-model';
import type { EncoderModel } from '../model';
import { layerLinearNames } from './layer-parameter-names';
import { pruneFfnNeurons, pruneHeads } from './prune-structure';

const bertShape = { vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 12, max_position_embeddings: 10 };
const distilShape = { vocab_size: 40, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 12, max_position_embeddings: 10 };
const inputIds = [[2, 5, 7, 3], [2, 9, 3, 0]];
const attentionMask = [[1, 1, 1, 1], [1, 1, 1, 0]];

let scratch: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  scratch = mkdtempSync(join(tmpdir(), 'pofa-structure-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const models: Array<[string, () => EncoderModel]> = [
  ['bert masked LM', () => new BertModel(bertShape, { task: 'masked-lm', seed: 1 }).eval()],
  ['bert classifier', () => new BertModel(bertShape, { task: 'sequence-classification', seed: 2 }).eval()],
  ['distilbert masked LM', () => new DistilBertModel(distilShape, { task: 'masked-lm', seed: 3 }).eval()],
];

function outputsOf(model: EncoderModel): number[] {
  const outputs = model.forward({ inputIds, attentionMask });
  const values = Array.from((outputs.logits ?? outputs.lastHidden).dataSync());
  tf.dispose(outputs as unknown as tf.TensorContainer);
  return values;
}

function expectClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((value, i) => Math.abs(value - expected[i])));
  expect(worst).toBeLessThan(tolerance);
}

/** Masks input columns of a Linear's weight: a removed head or neuron then contributes nothing. */
function maskColumns(model: EncoderModel, linear: string, columns: number[]): void {
  const weight = model.getParameter(`${linear}.weight`)!;
  const [rows, width] = weight.shape;
  const keep = Array.from({ length: width }, (_, column) => (columns.includes(column) ? 0 : 1));
  weight.addTransform(createMaskTransform(tf.tile(tf.tensor2d([keep]), [rows, 1])));
}

function headColumns(heads: number[], headSize: number): number[] {
  return heads.flatMap((head) => Array.from({ length: headSize }, (_, i) => head * headSize + i));
}

describe('pruneHeads', () => {
  it.each(models)('gives a %s whose outputs equal the head-masked model', (_label, make) => {
    const model = make();
    const smaller = pruneHeads(model, { 0: [1, 3], 1: [0] });
    for (const [layer, heads] of [[0, [1, 3]], [1, [0]]] as const) maskColumns(model, layerLinearNames(model.family, layer).attentionOutput, headColumns([...heads], 4));
    expectClose(outputsOf(smaller), outputsOf(model));
    const names = layerLinearNames(model.family, 0);
    expect(smaller.getParameter(`${names.query}.weight`)!.shape).toEqual([8, 16]);
    expect(smaller.getParameter(`${names.value}.bias`)!.shape).toEqual([8]);
    expect(smaller.getParameter(`${names.attentionOutput}.weight`)!.shape).toEqual([16, 8]);
    expect(smaller.getParameter(`${layerLinearNames(model.family, 1).key}.weight`)!.shape).toEqual([12, 16]);
    expect(smaller.config.pruned_heads).toEqual({ 0: [1, 3], 1: [0] });
    expect(smaller.parameterCount()).toBe(model.parameterCount() - 3 * (4 * 16 + 4) * 3 - 3 * 4 * 16);
    model.dispose();
    smaller.dispose();
  });

  it('takes original head indices, as Hugging Face does, and ignores heads already pruned', () => {
    const model = new BertModel(bertShape, { seed: 4 }).eval();
    const once = pruneHeads(model, { 0: [0] });
    const twice = pruneHeads(once, { 0: [0, 2] });
    const direct = pruneHeads(model, { '0': [2, 0] });
    expect(twice.config.pruned_heads).toEqual({ 0: [0, 2] });
    expectClose(outputsOf(twice), outputsOf(direct), 1e-6);
    const query = (m: EncoderModel): number[] => Array.from(m.getParameter('encoder.layer.0.attention.self.query.weight')!.variable.dataSync());
    // Heads 1 and 3 survive: rows 4..7 and 12..15 of the original query.
    const original = query(model);
    expect(query(twice)).toEqual([...original.slice(4 * 16, 8 * 16), ...original.slice(12 * 16, 16 * 16)]);
    for (const m of [model, once, twice, direct]) m.dispose();
  });

  it('slices mask transforms along with the weights and keeps the mode', () => {
    const model = new BertModel(bertShape, { seed: 5 }).train();
    const weight = model.getParameter('encoder.layer.0.attention.self.query.weight')!;
    const mask = Array.from({ length: 16 * 16 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    weight.addTransform(createMaskTransform(tf.tensor2d(mask, [16, 16])));
    const smaller = pruneHeads(model, { 0: [0] });
    expect(smaller.training).toBe(true);
    const sliced = smaller.getParameter('encoder.layer.0.attention.self.query.weight')!;
    const effective = tf.tidy(() => Array.from(sliced.value().dataSync()));
    const expected = tf.tidy(() => Array.from(weight.value().dataSync())).slice(4 * 16);
    expect(effective).toEqual(expected);
    model.dispose();
    smaller.dispose();
  });

  it('round-trips through savePretrained / loadPretrained with pruned_heads in config.json', async () => {
    const model = pruneHeads(new BertModel(bertShape, { task: 'masked-lm', seed: 6 }).eval(), { 1: [2] });
    const dir = join(scratch, 'pruned-heads');
    await savePretrained(model, dir);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).pruned_heads).toEqual({ 1: [2] });
    const { model: loaded, missing } = await loadPretrained(dir);
    expect(missing).toEqual([]);
    expectClose(outputsOf(loaded), outputsOf(model), 1e-6);
    model.dispose();
    loaded.dispose();
  });

  it('rejects bad layers and heads and pruning every head with a ConfigError', () => {
    const model = new DistilBertModel(distilShape, { seed: 7 });
    expect(() => pruneHeads(model, { 2: [0] })).toThrow(ConfigError);
    expect(() => pruneHeads(model, { 0: [4] })).toThrow(/heads 4 of layer 0/);
    expect(() => pruneHeads(model, { 0: [0, 1, 2, 3] })).toThrow(/every head of layer 0/);
    model.getParameter('transformer.layer.0.ffn.lin1.weight')!.addTransform({ kind: 'test/double', apply: (w) => tf.mul(w, 2) });
    expect(() => pruneHeads(model, { 0: [0] })).toThrow(/test\/double/);
    model.dispose();
  });
});

describe('pruneFfnNeurons', () => {
  it.each(models)('gives a %s whose outputs equal the neuron-masked model', (_label, make) => {
    const model = make();
    const smaller = pruneFfnNeurons(model, { 0: [0, 5, 11], 1: [3] });
    maskColumns(model, layerLinearNames(model.family, 0).ffnOutput, [0, 5, 11]);
    maskColumns(model, layerLinearNames(model.family, 1).ffnOutput, [3]);
    expectClose(outputsOf(smaller), outputsOf(model));
    expect(smaller.config.intermediate_sizes).toEqual([9, 11]);
    expect(smaller.getParameter(`${layerLinearNames(model.family, 0).intermediate}.bias`)!.shape).toEqual([9]);
    expect(smaller.getParameter(`${layerLinearNames(model.family, 1).ffnOutput}.weight`)!.shape).toEqual([16, 11]);
    model.dispose();
    smaller.dispose();
  });

  it('writes the standard width field when every layer ends up equally wide', async () => {
    const model = new DistilBertModel(distilShape, { task: 'masked-lm', seed: 8 }).eval();
    const smaller = pruneFfnNeurons(pruneFfnNeurons(model, { 0: [1, 2] }), { 1: [0, 7] });
    expect(smaller.config.intermediate_sizes).toBeUndefined();
    expect((smaller.config as { hidden_dim: number }).hidden_dim).toBe(10);
    const dir = join(scratch, 'pruned-ffn');
    await savePretrained(smaller, dir);
    const { model: loaded } = await loadPretrained(dir);
    expectClose(outputsOf(loaded), outputsOf(smaller), 1e-6);
    for (const m of [model, smaller, loaded]) m.dispose();
  });

  it('rejects neurons outside the current width and emptying a layer', () => {
    const model = new BertModel(bertShape, { seed: 9 });
    expect(() => pruneFfnNeurons(model, { 0: [12] })).toThrow(/\[0, 11\]/);
    expect(() => pruneFfnNeurons(model, { 1: Array.from({ length: 12 }, (_, i) => i) })).toThrow(ConfigError);
    model.dispose();
  });
});

describe('structure config fields', () => {
  it('validates pruned_heads and intermediate_sizes against the shape', () => {
    expect(createBertConfig({ ...bertShape, pruned_heads: { 1: [3, 0, 3] } }).pruned_heads).toEqual({ 1: [0, 3] });
    expect(() => createBertConfig({ ...bertShape, pruned_heads: { 2: [0] } })).toThrow(/pruned_heads\.2/);
    expect(() => createBertConfig({ ...bertShape, pruned_heads: { 0: [4] } })).toThrow(/heads 4 do not exist/);
    expect(() => createDistilBertConfig({ ...distilShape, pruned_heads: { 0: [0, 1, 2, 3] } })).toThrow(ConfigError);
    expect(() => createDistilBertConfig({ ...distilShape, intermediate_sizes: [3] })).toThrow(/intermediate_sizes/);
  });
});
