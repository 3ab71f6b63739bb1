import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeHalfArray, effectiveValues, encodeHalfArray, initBackend, readSafetensorsRaw, serializeSafetensors, tf, type RawTensor } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointErrorOf } from '../__fixtures__/checkpoint-errors';
import { createModel, type EncoderModel } from '../model';
import { writeSyntheticCheckpoint } from '../testing/synthetic-checkpoint';
import { readCheckpointVocab } from './checkpoint-vocab';
import { loadPretrained } from './load-pretrained';

const shape = { layers: 2, hidden: 32, heads: 2, vocabSize: 300, maxPositions: 16, sparsity: 0.5, seed: 7 };
const inputIds = [[101, 150, 170, 102], [101, 160, 102, 0]];
const attentionMask = [[1, 1, 1, 1], [1, 1, 1, 0]];
let scratch: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  scratch = mkdtempSync(join(tmpdir(), 'pofa-checkpoint-files-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function logitsOf(model: EncoderModel): Float32Array {
  const logits = tf.tidy(() => model.forward({ inputIds, attentionMask }).logits!);
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  return values;
}

/** Splits dir/model.safetensors into two shards and an index, as transformers writes them. */
async function shard(dir: string): Promise<{ first: string; second: string }> {
  const { tensors } = await readSafetensorsRaw(join(dir, 'model.safetensors'));
  const names = Object.keys(tensors).sort();
  const files = { first: 'model-00001-of-00002.safetensors', second: 'model-00002-of-00002.safetensors' };
  const weightMap: Record<string, string> = {};
  const parts: Array<Record<string, RawTensor>> = [{}, {}];
  names.forEach((name, index) => {
    const part = index < names.length / 2 ? 0 : 1;
    parts[part][name] = tensors[name];
    weightMap[name] = part === 0 ? files.first : files.second;
  });
  writeFileSync(join(dir, files.first), serializeSafetensors(parts[0], { metadata: { format: 'pt' } }));
  writeFileSync(join(dir, files.second), serializeSafetensors(parts[1], { metadata: { format: 'pt' } }));
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  rmSync(join(dir, 'model.safetensors'));
  return files;
}

describe('loading Hugging Face checkpoint files', () => {
  it('reads a sharded checkpoint (model.safetensors.index.json) as the single file', async () => {
    const single = join(scratch, 'single');
    const sharded = join(scratch, 'sharded');
    await writeSyntheticCheckpoint(single, { ...shape, task: 'sequence-classification' });
    await writeSyntheticCheckpoint(sharded, { ...shape, task: 'sequence-classification' });
    await shard(sharded);
    const a = await loadPretrained(single);
    const b = await loadPretrained(sharded);
    expect([b.missing, b.unexpected]).toEqual([[], []]);
    expect(logitsOf(b.model)).toEqual(logitsOf(a.model));
    a.model.dispose();
    b.model.dispose();
  });

  it.each(['F16', 'BF16'] as const)('decodes %s weights to float32 exactly', async (dtype) => {
    const reference = join(scratch, `f32-${dtype}`);
    const half = join(scratch, dtype);
    await writeSyntheticCheckpoint(reference, { ...shape, family: 'distilbert', task: 'question-answering' });
    await writeSyntheticCheckpoint(half, { ...shape, family: 'distilbert', task: 'question-answering', dtype });
    const full = await loadPretrained(reference);
    const loaded = await loadPretrained(half);
    for (const [name, parameter] of loaded.model.namedParameters()) {
      const expected = decodeHalfArray(encodeHalfArray(effectiveValues(full.model.getParameter(name)!), dtype), dtype);
      expect(effectiveValues(parameter), name).toEqual(expected);
    }
    full.model.dispose();
    loaded.model.dispose();
  });

  it('keeps the seeded initialisation of a new head (the model is built again only then)', async () => {
    const dir = join(scratch, 'new-head');
    await writeSyntheticCheckpoint(dir, { ...shape, task: 'masked-lm' });
    const first = await loadPretrained(dir, { task: 'sequence-classification', numLabels: 3, seed: 4 });
    const again = await loadPretrained(dir, { task: 'sequence-classification', numLabels: 3, seed: 4 });
    const classifier = effectiveValues(first.model.getParameter('classifier.weight')!);
    expect(classifier.some((value) => value !== 0)).toBe(true);
    expect(effectiveValues(again.model.getParameter('classifier.weight')!)).toEqual(classifier);
    // Drawn late (deferred), the new head equals that of a model initialised in full with the same seed.
    const full = createModel(first.model.config, { task: 'sequence-classification', numLabels: 3, seed: 4 });
    for (const name of first.missing) expect(effectiveValues(first.model.getParameter(name)!), name).toEqual(effectiveValues(full.getParameter(name)!));
    expect(first.missing).toContain('classifier.weight');
    full.dispose();
    first.model.dispose();
    again.model.dispose();
  });
});

describe('checkpoint errors name the file and the fix', () => {
  it('an unsupported model_type', async () => {
    const dir = join(scratch, 'roberta');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'roberta', architectures: ['RobertaForMaskedLM'], vocab_size: 50265 }));
    const error = await checkpointErrorOf(() => loadPretrained(dir));
    expect(error.message).toContain(join(dir, 'config.json'));
    expect(error.received).toMatch(/roberta/);
    expect(error.hint).toMatch(/BERT and DistilBERT only/);
  });

  it('a missing vocab.txt where a tokenizer is needed', async () => {
    const dir = join(scratch, 'no-vocab');
    await writeSyntheticCheckpoint(dir, shape);
    rmSync(join(dir, 'vocab.txt'));
    expect(await readCheckpointVocab(dir, { required: false })).toBeUndefined();
    const error = await checkpointErrorOf(() => readCheckpointVocab(dir, { required: true, purpose: 'tokenize the task' }));
    expect(error.message).toContain(join(dir, 'vocab.txt'));
    expect(error.expected).toMatch(/tokenize the task/);
    expect(error.hint).toMatch(/Copy the vocab\.txt/);
  });

  it('a vocab.txt whose size is not the word embeddings\' rows', async () => {
    const dir = join(scratch, 'short-vocab');
    await writeSyntheticCheckpoint(dir, shape);
    expect(await readCheckpointVocab(dir, { required: true })).toHaveLength(shape.vocabSize);
    const lines = readFileSync(join(dir, 'vocab.txt'), 'utf8').split('\n').slice(0, 250);
    writeFileSync(join(dir, 'vocab.txt'), `${lines.join('\n')}\n`);
    const error = await checkpointErrorOf(() => readCheckpointVocab(dir, { required: false }));
    expect(error.message).toContain(join(dir, 'vocab.txt'));
    expect(error.expected).toBe(`300 tokens, one per row of embeddings.word_embeddings.weight in ${join(dir, 'model.safetensors')}`);
    expect(error.received).toBe('250 tokens');
    expect(error.hint).toMatch(/Use the vocab\.txt of the tokenizer/);
  });

  it('a missing shard, before anything is read', async () => {
    const dir = join(scratch, 'lost-shard');
    await writeSyntheticCheckpoint(dir, shape);
    const { second } = await shard(dir);
    rmSync(join(dir, second));
    const error = await checkpointErrorOf(() => loadPretrained(dir));
    expect(error.message).toContain(join(dir, 'model.safetensors.index.json'));
    expect(error.received).toMatch(new RegExp(`no ${second.replace(/\./g, '\\.')}`));
    expect(error.hint).toMatch(new RegExp(`Copy ${second.replace(/\./g, '\\.')} into`));
    await expect(readCheckpointVocab(dir, { required: true })).rejects.toThrow(/shard/);
  });

  it('a config.json that does not describe its weights', async () => {
    const dir = join(scratch, 'wrong-config');
    await writeSyntheticCheckpoint(dir, shape);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 310 }));
    const error = await checkpointErrorOf(() => loadPretrained(dir));
    expect(error.message).toContain(join(dir, 'config.json'));
    expect(error.expected).toMatch(/embeddings\.word_embeddings\.weight of shape \[310, 32\]/);
    expect(error.hint).toMatch(/vocab_size/);
  });
});
