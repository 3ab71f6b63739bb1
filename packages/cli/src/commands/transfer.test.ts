import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensorsRaw, type RawTensor } from '@pofa/core';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { dequantizeInt8 } from '@pofa/quant';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo } from '../cli/test-io';
import { runCli } from '../cli/run-cli';
import { reportRowSchema } from '../pipeline/report-table';
import { COMMANDS } from './index';

const WORDS = ['the', 'a', 'movie', 'film', 'was', 'is', 'good', 'bad', 'great', 'awful', 'fun', 'dull', 'plot', 'acting', 'very', 'not', 'who', 'won', 'lost', 'where', 'played', 'denver', 'broncos', 'beat', 'carolina', 'panthers', 'in', 'miami', 'it', 'game'];
const POSITIVE = ['the movie was good', 'a great film', 'very fun plot', 'the acting is great', 'a good movie', 'the film is fun'];
const NEGATIVE = ['the movie was bad', 'a dull film', 'very awful plot', 'the acting is not good', 'a bad movie', 'the film is dull'];

/** An SST-2 folder in the GLUE layout: `sentence<TAB>label` with a header. */
async function writeSst2(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const rows = (count: number) =>
    Array.from({ length: count }, (_, i) => (i % 2 === 0 ? `${POSITIVE[i % POSITIVE.length]}\t1` : `${NEGATIVE[i % NEGATIVE.length]}\t0`));
  await writeFile(join(dir, 'train.tsv'), ['sentence\tlabel', ...rows(40)].join('\n') + '\n');
  await writeFile(join(dir, 'dev.tsv'), ['sentence\tlabel', ...rows(12)].join('\n') + '\n');
}

const GAME = 'The Denver Broncos beat the Carolina Panthers in Miami.';

/** A SQuAD v1.1 folder (`train-v1.1.json`, `dev-v1.1.json`) of questions on one paragraph. */
async function writeSquad(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const qas = [
    { id: 'won', question: 'Who won?', answers: [{ text: 'The Denver Broncos', answer_start: 0 }, { text: 'Broncos', answer_start: 11 }] },
    { id: 'lost', question: 'Who lost?', answers: [{ text: 'Carolina Panthers', answer_start: 28 }] },
    { id: 'where', question: 'Where was it played?', answers: [{ text: 'Miami', answer_start: 49 }] },
  ];
  const file = (count: number) => JSON.stringify({ version: '1.1', data: Array.from({ length: count }, (_, i) => ({ title: `game ${i}`, paragraphs: [{ context: `${GAME} It was game ${i}.`, qas: qas.map((qa) => ({ ...qa, id: `${qa.id}-${i}` })) }] })) });
  await writeFile(join(dir, 'train-v1.1.json'), file(8));
  await writeFile(join(dir, 'dev-v1.1.json'), file(2));
}

/** The float32 encoder Linear weights of a safetensors file, by their name from `encoder.` on (HF files nest them under `bert.`). */
function encoderLinears(tensors: Record<string, RawTensor>): Map<string, Float32Array> {
  const found = new Map<string, Float32Array>();
  for (const [name, tensor] of Object.entries(tensors)) {
    const match = /(encoder|transformer)\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense|attention\.(q|k|v|out)_lin|ffn\.lin[12])\.weight$/.exec(name);
    if (match === null) continue;
    const key = name.slice(match.index);
    if (tensor.dtype === 'F32') found.set(key, tensor.data as Float32Array);
  }
  return found;
}

describe('pofa transfer of a real-width sparse checkpoint (2 × 768, vocabulary 30522, 90% zeros)', () => {
  let dir: string;
  let result: { code: number; out: string; err: string };
  let source: Map<string, Float32Array>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pofa-transfer-'));
    await writeSyntheticCheckpoint(join(dir, 'bert-90'), { layers: 2, hidden: 768, sparsity: 0.9, words: WORDS, seed: 3 });
    await writeSst2(join(dir, 'SST-2'));
    source = encoderLinears((await readSafetensorsRaw(join(dir, 'bert-90', 'model.safetensors'))).tensors);
    const io = createTestIo(dir);
    const argv = ['transfer', 'bert-90', '--task', 'sst2', '--data', 'SST-2', '--steps', '2', '--batch', '4', '--seq', '16', '--out', 'run', '--json', 'rows.json'];
    const code = await runCli(argv, io, COMMANDS);
    result = { code, out: io.out(), err: io.err() };
  }, 600_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes and prints the pattern it found and the table rows', async () => {
    expect(result.err).not.toContain('Hi, looks like');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/Pattern \(the checkpoint's zeros\): 90\.00% of the encoder Linear weights; per layer 90\.00% 90\.00%/);
    const [baseline, ...rows] = (JSON.parse(await readFile(join(dir, 'rows.json'), 'utf8')) as unknown[]).map((row) => reportRowSchema.parse(row));
    expect([baseline, ...rows].map((row) => row.stage)).toEqual(['baseline', 'sparse', 'sparse-int8']);
    expect(baseline).toMatchObject({ task: 'glue/sst2', metric: 'accuracy', runtimeValue: null });
    for (const row of rows) {
      expect(row.task).toBe('glue/sst2');
      expect(row.metric).toBe('accuracy');
      // 12 dev examples: the accuracy is a multiple of 1/12, and the deployed bundle agrees with tfjs.
      expect(Math.abs((row.value as number) * 12 - Math.round((row.value as number) * 12))).toBeLessThan(1e-9);
      expect(row.runtimeValue).toBe(row.value);
      expect(row.sparsity as number).toBeGreaterThanOrEqual(0.9 - 1e-6);
    }
  });

  it('keeps every zero of the checkpoint exactly zero through fine-tuning and QAT', async () => {
    const transferred = encoderLinears((await readSafetensorsRaw(join(dir, 'run', 'sparse-transfer', 'model', 'model.safetensors'))).tensors);
    const int8 = encoderLinears(dequantizeInt8((await readSafetensorsRaw(join(dir, 'run', 'quantize', 'model-int8.safetensors'))).tensors));
    expect(source.size).toBe(12);
    for (const [name, original] of source) {
      for (const after of [transferred.get(name), int8.get(name)]) {
        expect(after, name).toBeDefined();
        let kept = 0;
        let zeros = 0;
        for (let i = 0; i < original.length; i++) {
          if (original[i] !== 0) continue;
          zeros++;
          if ((after as Float32Array)[i] === 0) kept++;
        }
        expect(kept, name).toBe(zeros);
      }
    }
    // Fine-tuning moved the other weights (the test would pass trivially on an untouched copy).
    const name = [...source.keys()][0];
    expect(transferred.get(name)).not.toEqual(source.get(name));
  });

  it('writes an ONNX model per stage that onnxruntime runs', async () => {
    for (const stage of ['sparse', 'sparse-int8']) {
      const session = await ort.InferenceSession.create(join(dir, 'run', 'onnx', `${stage}.onnx`));
      const ids = BigInt64Array.from([101n, 120n, 121n, 102n]);
      const feeds = {
        input_ids: new ort.Tensor('int64', ids, [1, 4]),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n, 1n]), [1, 4]),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(4), [1, 4]),
      };
      const output = await session.run(feeds);
      expect(output.logits.dims).toEqual([1, 2]);
      expect(Array.from(output.logits.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
  });

  it('transfers to SQuAD v1.1 with a dense teacher distilled, and writes the official predictions', async () => {
    await writeSquad(join(dir, 'SQuAD'));
    await writeSyntheticCheckpoint(join(dir, 'teacher'), { layers: 2, hidden: 768, task: 'question-answering', words: WORDS, seed: 4 });
    const io = createTestIo(dir);
    const argv = ['transfer', 'bert-90', '--task', 'squad', '--data', 'SQuAD', '--teacher', 'teacher', '--steps', '2', '--batch', '4', '--seq', '32', '--out', 'squad-run', '--json', 'squad-rows.json'];
    const code = await runCli(argv, io, COMMANDS);
    expect(code, io.err()).toBe(0);
    const rows = (JSON.parse(await readFile(join(dir, 'squad-rows.json'), 'utf8')) as unknown[]).map((row) => reportRowSchema.parse(row));
    expect(rows.map((row) => row.stage)).toEqual(['dense', 'sparse', 'sparse-int8']);
    for (const row of rows) {
      expect(row.task).toBe('squad');
      expect(row.metric).toBe('f1');
      expect(row.value as number).toBeGreaterThanOrEqual(0);
      expect(row.value as number).toBeLessThanOrEqual(1);
    }
    for (const stage of ['sparse', 'sparse-int8']) {
      const predictions = JSON.parse(await readFile(join(dir, 'squad-run', 'predictions', stage, 'predictions.json'), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(predictions).sort()).toEqual(['lost-0', 'lost-1', 'where-0', 'where-1', 'won-0', 'won-1']);
      for (const answer of Object.values(predictions)) expect(`${GAME} It was game 0. ${GAME} It was game 1.`).toContain(answer as string);
      const metrics = JSON.parse(await readFile(join(dir, 'squad-run', 'predictions', stage, 'metrics.json'), 'utf8')) as { tfjs: { f1: number }; pofa: { f1: number } };
      expect(metrics.pofa.f1).toBeCloseTo(metrics.tfjs.f1, 6);
    }
    // pofa eval scores the run's bundles on SQuAD the same way and writes the same answers.
    const evalIo = createTestIo(dir);
    expect(await runCli(['eval', 'squad-run', '--task', 'squad', '--data', 'SQuAD', '--json', '--predictions', 'answers.json'], evalIo, COMMANDS), evalIo.err()).toBe(0);
    const evalRows = JSON.parse(evalIo.out()) as Array<{ model: string; metric: string; value: number; examples: number }>;
    expect(evalRows.map((row) => row.model.split('/').pop())).toEqual(['dense.pofa', 'sparse.pofa', 'sparse-int8.pofa']);
    for (const row of evalRows.slice(1)) {
      const stage = (row.model.split('/').pop() as string).replace('.pofa', '');
      const metrics = JSON.parse(await readFile(join(dir, 'squad-run', 'predictions', stage, 'metrics.json'), 'utf8')) as { pofa: { f1: number } };
      expect(row.metric).toBe('f1');
      expect(row.examples).toBe(6);
      expect(row.value).toBeCloseTo(metrics.pofa.f1, 9);
      expect(await readFile(join(dir, `answers.${stage}.json`), 'utf8')).toBe(await readFile(join(dir, 'squad-run', 'predictions', stage, 'predictions.json'), 'utf8'));
    }
    await rm(join(dir, 'squad-run'), { recursive: true, force: true });
  }, 600_000);

  it('stops on interrupt without looking finished, and --resume gives the rows of the uninterrupted run', async () => {
    const argv = ['transfer', 'bert-90', '--task', 'sst2', '--data', 'SST-2', '--steps', '2', '--batch', '4', '--seq', '16', '--out', 'run-stopped', '--json', 'resumed.json'];
    const controller = new AbortController();
    const stopping = createTestIo(dir);
    const io = { ...stopping, signal: controller.signal, stderr: { write: (text: string) => (text.startsWith('pofa: quantization-aware training') && controller.abort(), stopping.stderr.write(text)) } };
    expect(await runCli(argv, io, COMMANDS)).toBe(130);
    expect(stopping.err()).toMatch(/Interrupted during quantization-aware training.*--resume/s);
    const run = JSON.parse(await readFile(join(dir, 'run-stopped', 'run.json'), 'utf8')) as { completed: boolean };
    expect(run.completed).toBe(false);
    // The finished stage's resume checkpoints are gone (its model stays): 1.3 GB at BERT-Base size.
    expect(existsSync(join(dir, 'run-stopped', 'sparse-transfer', 'checkpoints'))).toBe(false);
    expect(existsSync(join(dir, 'run-stopped', 'sparse-transfer', 'model', 'model.safetensors'))).toBe(true);
    const evalIo = createTestIo(dir);
    expect(await runCli(['eval', 'run-stopped'], evalIo, COMMANDS)).toBe(1);
    expect(evalIo.err()).toContain('unfinished run');
    const fresh = createTestIo(dir);
    expect(await runCli(argv, fresh, COMMANDS)).toBe(1);
    expect(fresh.err()).toMatch(/holds an interrupted run/);
    const resumed = createTestIo(dir);
    expect(await runCli([...argv, '--resume'], resumed, COMMANDS), resumed.err()).toBe(0);
    expect(resumed.err()).toMatch(/sparse transfer \(pattern lock\) reused/);
    const rowsOf = async (file: string) => (JSON.parse(await readFile(join(dir, file), 'utf8')) as Array<Record<string, unknown>>).map(({ stage, value, runtimeValue, sparsity, encoderBytesOnDisk }) => ({ stage, value, runtimeValue, sparsity, encoderBytesOnDisk }));
    expect(await rowsOf('resumed.json')).toEqual(await rowsOf('rows.json'));
    await rm(join(dir, 'run-stopped'), { recursive: true, force: true });
  }, 600_000);

  it('transfers a DistilBERT checkpoint with its zeros kept', async () => {
    await writeSyntheticCheckpoint(join(dir, 'distil-90'), { family: 'distilbert', layers: 2, hidden: 768, sparsity: 0.9, words: WORDS, seed: 5 });
    const original = encoderLinears((await readSafetensorsRaw(join(dir, 'distil-90', 'model.safetensors'))).tensors);
    const io = createTestIo(dir);
    const argv = ['transfer', 'distil-90', '--task', 'sst2', '--data', 'SST-2', '--steps', '2', '--batch', '4', '--seq', '16', '--no-int8', '--out', 'distil-run'];
    expect(await runCli(argv, io, COMMANDS), io.err()).toBe(0);
    expect(io.out()).toMatch(/Pattern \(the checkpoint's zeros\): 90\.00% of the encoder Linear weights; per layer 90\.00% 90\.00%/);
    const transferred = encoderLinears((await readSafetensorsRaw(join(dir, 'distil-run', 'sparse-transfer', 'model', 'model.safetensors'))).tensors);
    expect(original.size).toBe(12);
    for (const [name, before] of original) {
      const after = transferred.get(name) as Float32Array;
      expect(after, name).toBeDefined();
      let revived = 0;
      for (let i = 0; i < before.length; i++) if (before[i] === 0 && after[i] !== 0) revived++;
      expect(revived, name).toBe(0);
    }
    const name = [...original.keys()][0];
    expect(transferred.get(name)).not.toEqual(original.get(name));
    await rm(join(dir, 'distil-run'), { recursive: true, force: true });
  }, 600_000);

  it('refuses a folder that is not a checkpoint, naming what is missing', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    const io = createTestIo(dir);
    const code = await runCli(['transfer', 'empty', '--task', 'sst2', '--data', 'SST-2'], io, COMMANDS);
    expect(code).not.toBe(0);
    expect(io.err()).toContain('config.json, model.safetensors, vocab.txt');
    expect(io.err()).not.toContain('unexpected error');
  });
});
