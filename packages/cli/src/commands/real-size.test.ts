import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@pofa/core';
import { loadPretrained, type EncoderModel } from '@pofa/models';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { loadBundle } from '@pofa/sparse-kernels';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { maxDifference, onnxOutputs } from '../../../onnx/src/__fixtures__/onnx-models';
import { initCliBackend } from '../pipeline/backend';
import type { BenchReport } from '../reproduce/bench-latency';
import { inspectBundle } from './inspect-bundle';
import type { InspectedCheckpoint } from './inspect-checkpoint';
import { COMMANDS } from './index';

// Real width and vocabulary (768, 30522: 23 M word-embedding values, past the 2^24 elements at
// which per-element JS collections break) with 2 layers, so every command runs in seconds.
const SHAPE = { layers: 2, hidden: 768, vocabSize: 30522, sparsity: 0.9, seed: 5 } as const;
const MODELS = [
  { name: 'bert', options: { ...SHAPE, family: 'bert', task: 'sequence-classification' } },
  { name: 'distilbert', options: { ...SHAPE, family: 'distilbert', task: 'masked-lm' } },
] as const;

/** Three sequences over the whole vocabulary, the last two padded. */
const INPUTS = (() => {
  const lengths = [12, 9, 5];
  const inputIds = lengths.map((length, row) => Array.from({ length: 12 }, (_, position) => (position === 0 ? 101 : position < length ? 104 + ((row * 7919 + position * 2459) % 30000) : 0)));
  const attentionMask = lengths.map((length) => Array.from({ length: 12 }, (_, position) => (position < length ? 1 : 0)));
  const tokenTypeIds = lengths.map((length) => Array.from({ length: 12 }, (_, position) => (position >= length / 2 && position < length ? 1 : 0)));
  return { inputIds, attentionMask, tokenTypeIds };
})();

let dir: string;
const written = new Map<string, Awaited<ReturnType<typeof writeSyntheticCheckpoint>>>();
const printed: string[] = [];
const debug = process.env.POFA_DEBUG;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo(dir);
  const code = await runCli(argv, io, COMMANDS);
  printed.push(io.out(), io.err());
  return { code, out: io.out(), err: io.err() };
}

function tfjsLogits(model: EncoderModel): Float32Array {
  const logits = tf.tidy(() => model.forward({ ...INPUTS }).logits!);
  const values = logits.dataSync().slice() as Float32Array;
  logits.dispose();
  return values;
}

beforeAll(async () => {
  // POFA_DEBUG keeps tfjs's warnings on: the banner must stay off all the same.
  process.env.POFA_DEBUG = '1';
  for (const method of ['log', 'warn', 'error', 'info'] as const) {
    vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
  }
  await initCliBackend();
  dir = await mkdtemp(join(tmpdir(), 'pofa-real-size-'));
  for (const { name, options } of MODELS) written.set(name, await writeSyntheticCheckpoint(join(dir, name), { ...options, words: ['the', 'movie', 'was', 'good'] }));
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  if (debug === undefined) delete process.env.POFA_DEBUG;
  else process.env.POFA_DEBUG = debug;
  await rm(dir, { recursive: true, force: true });
});

describe.each(MODELS)('every command on a real-width $name (768 wide, 30522 words, sparsity 0.9)', ({ name, options }) => {
  let reference: Float32Array;
  beforeAll(async () => {
    const { model } = await loadPretrained(join(dir, name));
    reference = tfjsLogits(model);
    model.dispose();
  }, 60_000);

  it('inspect DIR: config, family and task, parameters, dtype, sparsity overall and per layer', async () => {
    const { code, out } = await cli(['inspect', name, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as InspectedCheckpoint;
    expect(report).toMatchObject({ family: options.family, task: options.task, supported: true, dtypes: ['F32'] });
    expect(report.parameters).toBe(written.get(name)!.parameters);
    // The generator zeroes round(size × 0.9) values of each weight.
    expect(report.encoder.sparsity).toBeCloseTo(0.9, 5);
    expect(report.layers.map((layer) => layer.layer)).toEqual([0, 1]);
    for (const layer of report.layers) expect(layer.sparsity).toBeCloseTo(0.9, 5);
    const table = await cli(['inspect', name]);
    expect(table.out).toContain(`${options.family} ${options.task}: 2 layers, hidden 768`);
    expect(table.out).toMatch(/encoder Linear weights: \d+ parameters, 90\.00% zeros/);
  }, 30_000);

  it('export --format pofa: the runtime gives the tfjs logits within 1e-4, sparsity 0.9', async () => {
    expect((await cli(['export', name, '--format', 'pofa', '--out', `${name}.pofa`])).code).toBe(0);
    const runtime = await loadBundle(join(dir, `${name}.pofa`));
    expect(runtime.vocab).toHaveLength(30522);
    expect(maxDifference(runtime.run(INPUTS).logits!, reference)).toBeLessThan(1e-4);
    const { compression } = await inspectBundle(join(dir, `${name}.pofa`));
    expect(1 - compression.nonZeros / compression.parameters).toBeCloseTo(0.9, 5);
  }, 30_000);

  it('export --format pofa --int8: int8 weights with the same zeros, logits near fp32', async () => {
    expect((await cli(['export', name, '--format', 'pofa', '--int8', '--out', `${name}-int8.pofa`])).code).toBe(0);
    const { compression, tensors } = await inspectBundle(join(dir, `${name}-int8.pofa`));
    expect(compression.bits).toBe(8);
    // The 90% zeros stay zeros; a few tiny weights round to 0 too (|w| < scale / 2).
    const sparsity = 1 - compression.nonZeros / compression.parameters;
    expect(sparsity).toBeGreaterThanOrEqual(0.9);
    expect(sparsity).toBeLessThan(0.901);
    expect(tensors.filter((tensor) => tensor.format === 'csr').every((tensor) => tensor.dtype === 'int8')).toBe(true);
    const logits = (await loadBundle(join(dir, `${name}-int8.pofa`))).run(INPUTS).logits!;
    const scale = reference.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    expect(maxDifference(logits, reference)).toBeLessThan(0.05 * scale);
  }, 30_000);

  it('export --format onnx: onnxruntime gives the tfjs logits within 1e-4', async () => {
    expect((await cli(['export', name, '--format', 'onnx', '--out', `${name}.onnx`])).code).toBe(0);
    const { logits } = await onnxOutputs(await readFile(join(dir, `${name}.onnx`)), INPUTS);
    expect(maxDifference(logits, reference)).toBeLessThan(1e-4);
  }, 30_000);

  it('bench: the runtime, onnxruntime and tfjs rows, 90% sparse, their outputs agreeing', async () => {
    const { code } = await cli(['bench', name, '--batch', '1', '--seq', '8', '--iterations', '1', '--threads', '1', '--json', `${name}-bench.json`]);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, `${name}-bench.json`), 'utf8')) as BenchReport;
    expect(report.rows.map((row) => [row.engine, row.layout])).toEqual([['pofa runtime', 'csr'], ['onnxruntime', 'dense'], ['tfjs', report.backend]]);
    expect(report.rows.every((row) => row.check === null || row.check.agrees)).toBe(true);
    for (const row of report.rows) expect(row.sparsity).toBeCloseTo(0.9, 5);
  }, 30_000);
});

describe('real-size checkpoints', () => {
  it('print no tfjs "Hi, looks like you are running TensorFlow.js in Node.js" banner', () => {
    expect(printed.join('\n')).not.toContain('Hi, looks like');
  });

  it('a vocab.txt that does not fit the word embeddings fails before anything loads, naming the file and the fix', async () => {
    const source = join(dir, 'bert', 'vocab.txt');
    const broken = join(dir, 'short-vocab');
    await writeSyntheticCheckpoint(broken, { layers: 1, hidden: 64, heads: 2, vocabSize: 500 });
    await writeFile(join(broken, 'vocab.txt'), (await readFile(source, 'utf8')).split('\n').slice(0, 400).join('\n'));
    const { code, err } = await cli(['export', 'short-vocab', '--format', 'pofa']);
    expect(code).toBe(1);
    expect(err).toContain(join(broken, 'vocab.txt'));
    expect(err).toContain('500 tokens, one per row of embeddings.word_embeddings.weight');
    expect(err).toMatch(/Use the vocab\.txt of the tokenizer/);
    expect(await stat(join(dir, 'short-vocab.pofa')).catch(() => undefined)).toBeUndefined();
  });

  it('eval of a directory without vocab.txt, and export of an unsupported model_type, say which file and how to fix it', async () => {
    const bare = join(dir, 'no-vocab');
    await writeSyntheticCheckpoint(bare, { layers: 1, hidden: 64, heads: 2, vocabSize: 500, task: 'sequence-classification' });
    await rm(join(bare, 'vocab.txt'));
    const evaluation = await cli(['eval', 'no-vocab', '--task', 'spam']);
    expect(evaluation.code).toBe(1);
    expect(evaluation.err).toContain(`${join(bare, 'vocab.txt')} is missing`);
    expect(evaluation.err).toMatch(/Copy the vocab\.txt of the tokenizer this model was trained with into/);
    const config = JSON.parse(await readFile(join(bare, 'config.json'), 'utf8'));
    await writeFile(join(bare, 'config.json'), JSON.stringify({ ...config, model_type: 'albert', architectures: ['AlbertForSequenceClassification'] }));
    const exported = await cli(['export', 'no-vocab', '--format', 'onnx']);
    expect(exported.code).toBe(1);
    expect(exported.err).toContain(`Unsupported checkpoint architecture in ${join(bare, 'config.json')}`);
    expect(exported.err).toMatch(/pofa implements BERT and DistilBERT only/);
  });
});
