import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, readSafetensorsMetadata, tf } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointErrorOf } from '../__fixtures__/checkpoint-errors';
import { BertModel } from '../bert/bert-model';
import { DistilBertModel } from '../distilbert/distilbert-model';
import type { EncoderModel } from '../model';
import { loadPretrained } from './load-pretrained';
import { savePretrained } from './save-pretrained';

const FIXTURES = join(import.meta.dirname, '..', '__fixtures__', 'parity');
const bertConfig = { vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 20, max_position_embeddings: 10 };
const distilConfig = { vocab_size: 40, dim: 16, n_layers: 2, n_heads: 2, hidden_dim: 20, max_position_embeddings: 10 };
const inputIds = [[2, 5, 7, 3], [2, 9, 3, 0]];
const attentionMask = [[1, 1, 1, 1], [1, 1, 1, 0]];

let scratch: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  scratch = mkdtempSync(join(tmpdir(), 'pofa-models-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function logitsOf(model: EncoderModel): number[] {
  const outputs = model.forward({ inputIds, attentionMask }, { training: false });
  const values = Array.from((outputs.logits ?? outputs.startLogits ?? outputs.lastHidden).dataSync());
  tf.dispose(outputs as unknown as tf.TensorContainer);
  return values;
}

describe('savePretrained / loadPretrained', () => {
  const models: Array<[string, () => EncoderModel, string[]]> = [
    ['bert masked LM', () => new BertModel(bertConfig, { task: 'masked-lm', seed: 1 }), ['bert.encoder.layer.1.output.LayerNorm.weight', 'cls.predictions.bias']],
    ['bert classifier', () => new BertModel(bertConfig, { task: 'sequence-classification', numLabels: 1, seed: 2 }), ['bert.pooler.dense.weight', 'classifier.weight']],
    ['bert base', () => new BertModel(bertConfig, { seed: 3 }), ['embeddings.word_embeddings.weight', 'pooler.dense.bias']],
    ['distilbert masked LM', () => new DistilBertModel(distilConfig, { task: 'masked-lm', seed: 4 }), ['distilbert.transformer.layer.0.attention.q_lin.weight', 'vocab_projector.bias']],
    ['distilbert QA', () => new DistilBertModel(distilConfig, { task: 'question-answering', seed: 5 }), ['distilbert.embeddings.LayerNorm.bias', 'qa_outputs.weight']],
  ];

  it.each(models)('round-trips a %s in Hugging Face layout', async (label, make, names) => {
    const model = make().eval();
    const dir = join(scratch, label.replace(/ /g, '-'));
    await savePretrained(model, dir);
    const header = await readSafetensorsMetadata(join(dir, 'model.safetensors'));
    const saved = Object.keys(header.tensors);
    expect(saved).toEqual(expect.arrayContaining(names));
    expect(saved).toHaveLength(model.namedParameters().length);
    expect(saved.some((name) => name.endsWith('decoder.weight') || name === 'vocab_projector.weight')).toBe(false);
    const { model: loaded, missing, unexpected } = await loadPretrained(dir);
    expect([missing, unexpected]).toEqual([[], []]);
    expect(loaded.task).toBe(model.task);
    expect(logitsOf(loaded)).toEqual(logitsOf(model));
    model.dispose();
    loaded.dispose();
  });

  it('writes the config Hugging Face expects', async () => {
    const model = new BertModel(bertConfig, { task: 'sequence-classification', numLabels: 1 });
    const dir = join(scratch, 'regression');
    await savePretrained(model, dir);
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ architectures: ['BertForSequenceClassification'], model_type: 'bert', problem_type: 'regression', id2label: { 0: 'LABEL_0' }, hidden_size: 16 });
    model.dispose();
  });

  it('puts a new head on an encoder checkpoint and lists it as missing', async () => {
    const { model, missing, unexpected } = await loadPretrained(join(FIXTURES, 'bert-masked-lm'), { task: 'sequence-classification', numLabels: 2 });
    expect(missing.sort()).toEqual(['classifier.bias', 'classifier.weight', 'pooler.dense.bias', 'pooler.dense.weight']);
    expect(unexpected).toContain('cls.predictions.transform.dense.weight');
    expect(logitsOf(model)).toHaveLength(4);
    model.dispose();
    const relabelled = await loadPretrained(join(FIXTURES, 'bert-classification'), { numLabels: 5 });
    expect(relabelled.missing.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(relabelled.notes.join('\n')).toMatch(/re-initialised classifier.weight/);
    relabelled.model.dispose();
  });

  it('refuses pickled weights and says how to convert them', async () => {
    const dir = join(scratch, 'pickled');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES, 'bert-base', 'config.json'), join(dir, 'config.json'));
    writeFileSync(join(dir, 'pytorch_model.bin'), 'not really a pickle');
    const error = await checkpointErrorOf(() => loadPretrained(dir));
    expect(error.received).toBe('pytorch_model.bin');
    expect(error.hint).toMatch(/does not unpickle/);
    expect(error.hint).toMatch(/safe_serialization=True/);
  });

  it('fails on a checkpoint that lacks encoder weights', async () => {
    const model = new BertModel(bertConfig, { seed: 6 });
    const dir = join(scratch, 'broken');
    await savePretrained(model, dir);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3 }));
    const error = await checkpointErrorOf(() => loadPretrained(dir));
    expect(error.received).toMatch(/encoder\.layer\.2\./);
    model.dispose();
    await expect(loadPretrained(join(scratch, 'nowhere'))).rejects.toThrow(/config\.json/);
  });

  it('names the head it built in config.architectures, as savePretrained writes it, when another head than the checkpoint\'s is asked for', async () => {
    const model = new BertModel(bertConfig, { task: 'masked-lm', seed: 7 });
    const dir = join(scratch, 'masked-lm-for-classification');
    await savePretrained(model, dir);
    model.dispose();
    const loaded = await loadPretrained(dir, { task: 'sequence-classification', numLabels: 2 });
    expect(loaded.model.config.architectures).toEqual(['BertForSequenceClassification']);
    const again = join(scratch, 'masked-lm-for-classification-saved');
    await savePretrained(loaded.model, again);
    const reloaded = await loadPretrained(again);
    // What a run that stopped and reloaded the model from disk bundles: the same config.
    expect(reloaded.model.config).toEqual(loaded.model.config);
    loaded.model.dispose();
    reloaded.model.dispose();
  });
});
