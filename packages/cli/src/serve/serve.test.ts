import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { BertModel, createWordPieceTokenizer } from '@pofa/models';
import { bundleTokenizerOf, pipeline } from '@pofa/runtime';
import { exportBundle, type BundleTask } from '@pofa/sparse-kernels';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo } from '../cli/test-io';
import { runCli } from '../cli/run-cli';
import { COMMANDS } from '../commands/index';
import { createBatchQueue } from './batch-queue';
import { createServeApp } from './serve-app';
import { createServeMetrics, type ServeMetrics } from './serve-metrics';
import { loadServedModel, type ServedModel } from './served-model';

const WORDS = ['the', 'whale', 'ship', 'sea', 'captain', 'ahab', 'ishmael', 'sailed', 'from', 'nantucket', 'who', 'where', 'call', 'me', 'white', 'lunch', 'free', 'win', 'now', 'at', 'noon'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz.,?!'];
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS, ...LETTERS, ...LETTERS.map((letter) => `##${letter}`)];
const SHAPE = { vocab_size: VOCAB.length, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 64 };
const LIMITS = { maxBodyBytes: 1 << 20, maxInputs: 256, maxInputChars: 10_000 };

const directory = await mkdtemp(join(tmpdir(), 'pofa-serve-'));
const paths = { classify: join(directory, 'spam.pofa'), qa: join(directory, 'squad.pofa') };
const log: string[] = [];
let app: FastifyInstance;
let base: string;
let metrics: ServeMetrics;

async function writeBundle(path: string, task: BundleTask, head: 'sequence-classification' | 'question-answering', seed: number): Promise<void> {
  const tokenizer = await createWordPieceTokenizer({ vocab: VOCAB, maxLength: 48 });
  const model = new BertModel(SHAPE, { task: head, ...(head === 'sequence-classification' ? { numLabels: 2 } : {}), seed }).eval();
  await exportBundle(model, path, { format: 'csr', tokenizerVocab: VOCAB, tokenizer: bundleTokenizerOf(tokenizer), task });
  model.dispose();
}

/** A model whose batches fail with an ordinary Error (an internal fault). */
function brokenModel(): ServedModel {
  const queue = createBatchQueue<never, unknown>({ maxBatch: 4, maxWaitMs: 0, run: async () => Promise.reject(new Error('kernel exploded')) });
  return { name: 'broken', path: 'broken.pofa', task: { kind: 'classification', labels: ['a', 'b'] }, pipeline: 'text-classification', queue };
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await writeBundle(paths.classify, { kind: 'classification', name: 'spam', labels: ['ham', 'spam'] }, 'sequence-classification', 1);
  await writeBundle(paths.qa, { kind: 'span', name: 'squad', docStride: 8, maxQueryLength: 8, maxAnswerLength: 6 }, 'question-answering', 2);
  metrics = createServeMetrics();
  const options = { maxBatch: 8, maxWaitMs: 30 };
  const models = [await loadServedModel({ name: 'spam', path: paths.classify }, options, metrics), await loadServedModel({ name: 'squad', path: paths.qa }, options, metrics), brokenModel()];
  app = createServeApp(models, { ...LIMITS, metrics, log: { write: (line: string) => log.push(line) } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await rm(directory, { recursive: true, force: true });
});

async function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('pofa serve: predictions over HTTP', () => {
  it('classifies texts with label names, as the pipeline does, with top-k', async () => {
    const texts = ['Win a free whale now!', 'Lunch at noon?'];
    const expected = await (await pipeline('text-classification', paths.classify))(texts, { topK: 2 });
    const { status, json } = await post('/v1/predict', { inputs: texts });
    expect(status).toBe(200);
    expect(json.model).toBe('spam');
    const outputs = json.outputs as Array<{ label: string; score: number }>;
    outputs.forEach((output, index) => {
      expect(output.label).toBe(expected[index][0].label);
      expect(output.score).toBeCloseTo(expected[index][0].score, 6);
    });
    const single = await post('/v1/models/spam/predict', { inputs: 'Lunch at noon?', parameters: { topK: 2 } });
    expect((single.json.outputs as unknown[][])[0].map((label) => (label as { label: string }).label).sort()).toEqual(['ham', 'spam']);
  });

  it('answers questions with a span of the context', async () => {
    const context = 'Call me Ishmael. Ahab sailed the white ship from Nantucket; the captain hunted the whale at sea.';
    const { status, json } = await post('/v1/models/squad/predict', { question: 'Who sailed from Nantucket?', context });
    expect(status).toBe(200);
    const [answer] = json.outputs as Array<{ answer: string; score: number; start: number; end: number }>;
    expect(context.slice(answer.start, answer.end)).toBe(answer.answer);
    expect(answer.answer.length).toBeGreaterThan(0);
    const expected = await (await pipeline('question-answering', paths.qa))({ question: 'Who sailed from Nantucket?', context });
    expect(answer).toEqual(expected[0]);
  });

  it('batches concurrent requests into few forward passes and reports it in /metrics', async () => {
    // A server of its own that waits long enough for all eight requests, even on a loaded machine.
    const own = createServeMetrics();
    const batching = createServeApp([await loadServedModel({ name: 'spam', path: paths.classify }, { maxBatch: 8, maxWaitMs: 250 }, own)], { ...LIMITS, metrics: own, log: { write: () => undefined } });
    await batching.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(batching.server.address() as AddressInfo).port}`;
    try {
      const texts = ['the whale', 'the sea', 'lunch', 'win now', 'free ship', 'ahab', 'noon', 'captain'];
      const alone = await (await pipeline('text-classification', paths.classify))(texts, { topK: 2 });
      const answers = await Promise.all(
        texts.map(async (text) => {
          const response = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [text], parameters: { topK: 2 } }) });
          return ((await response.json()) as { outputs: Array<Array<{ label: string; score: number }>> }).outputs[0];
        }),
      );
      answers.forEach((labels, index) => {
        for (const { label, score } of labels) expect(score).toBeCloseTo(alone[index].find((expected) => expected.label === label)!.score, 5);
      });
      const counts = (await own.batchSize.get()).values.filter((value) => value.labels.model === 'spam');
      const batches = counts.find((value) => value.metricName === 'pofa_batch_size_count')?.value ?? 0;
      expect(counts.find((value) => value.metricName === 'pofa_batch_size_sum')?.value).toBe(texts.length);
      expect(batches).toBeGreaterThanOrEqual(1);
      expect(batches).toBeLessThanOrEqual(3);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/pofa_requests_total\{model="spam",status="200"\} 8/);
      expect(text).toContain('pofa_request_duration_seconds_bucket{le="0.005",model="spam"}');
      expect(text).toContain('pofa_queue_length{model="spam"} 0');
      expect(text).toMatch(/pofa_batch_duration_seconds_count\{model="spam"\} [1-3]/);
    } finally {
      await batching.close();
    }
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok', models: [{ name: 'spam', pipeline: 'text-classification' }, { name: 'squad', pipeline: 'question-answering' }, { name: 'broken' }] });
  });
});

describe('pofa serve: bad requests get a 4xx with one line, and the server keeps serving', () => {
  const invalidUtf8 = new Uint8Array([...new TextEncoder().encode('{"inputs": "caf'), 0xc3, 0x28, ...new TextEncoder().encode('"}')]);
  const cases: Array<[string, string, unknown, number, RegExp, Record<string, string>?]> = [
    ['malformed JSON', '/v1/predict', '{"inputs": ["the whale"', 400, /^Malformed JSON/],
    ['a number instead of text', '/v1/predict', { inputs: 5 }, 400, /^Invalid request: body\/inputs must be string or array$/],
    ['numbers in the list', '/v1/predict', { inputs: ['ok', 7] }, 400, /^Invalid request: body\/inputs\/1 must be string$/],
    ['no inputs', '/v1/predict', { text: 'the whale' }, 400, /^Invalid request: body must have required property 'inputs'$/],
    ['an empty string', '/v1/predict', { inputs: '' }, 400, /^Invalid request: body\/inputs must NOT have fewer than 1 characters$/],
    ['only spaces', '/v1/predict', { inputs: ['   '] }, 400, /must match pattern/],
    ['an empty list', '/v1/predict', { inputs: [] }, 400, /must NOT have fewer than 1 items/],
    ['an unknown field', '/v1/predict', { inputs: 'x', temperature: 2 }, 400, /must NOT have additional properties/],
    ['topK above the labels', '/v1/predict', { inputs: 'x', parameters: { topK: 3 } }, 400, /topK must be <= 2/],
    ['no body', '/v1/predict', '', 400, /body is empty/],
    ['invalid UTF-8', '/v1/predict', invalidUtf8, 400, /^The body is not valid UTF-8$/],
    ['10,000 inputs', '/v1/predict', { inputs: Array.from({ length: 10_000 }, () => 'the whale') }, 400, /must NOT have more than 256 items/],
    ['a 10 MB body', '/v1/predict', JSON.stringify({ inputs: 'a'.repeat(10 * 1024 * 1024) }), 413, /too large/],
    ['a text longer than the limit', '/v1/predict', { inputs: 'a'.repeat(10_001) }, 400, /must NOT have more than 10000 characters/],
    ['a question without a context', '/v1/models/squad/predict', { question: 'Who?' }, 400, /^Invalid request: body must have required property 'context'$/],
    ['a context without text', '/v1/models/squad/predict', { question: 'Who?', context: '' }, 400, /context must NOT have fewer than 1 characters/],
    ['plain text', '/v1/predict', 'the whale', 415, /^Unsupported Media Type/i, { 'content-type': 'text/plain' }],
    ['an unknown model', '/v1/models/nope/predict', { inputs: 'x' }, 404, /^No route POST \/v1\/models\/nope\/predict$/],
  ];

  it.each(cases)('%s', async (_name, path, body, status, reason, headers) => {
    const response = await post(path, body, headers);
    expect(response.status).toBe(status);
    expect(Object.keys(response.json)).toEqual(['error']);
    const error = response.json.error as string;
    expect(error).toMatch(reason);
    expect(error).not.toContain('\n');
    expect(error).not.toMatch(/    at /);
    const after = await post('/v1/predict', { inputs: ['the whale'] });
    expect(after.status).toBe(200);
    expect(['ham', 'spam']).toContain((after.json.outputs as Array<{ label: string }>)[0].label);
  });

  it('answers an internal error with a 500 and an id that is in the log with the cause', async () => {
    const { status, json } = await post('/v1/models/broken/predict', { inputs: ['x'] });
    expect(status).toBe(500);
    expect(json.error).toBe('Internal error');
    expect(json.id).toMatch(/^[0-9a-f-]{36}$/);
    const line = log.find((entry) => entry.includes(json.id as string));
    expect(line).toBeDefined();
    expect(line).toContain('kernel exploded');
    expect((await post('/v1/predict', { inputs: 'the whale' })).status).toBe(200);
  });
});

describe('pofa serve (the command)', () => {
  it('listens, answers, and on SIGTERM lets the request in flight finish before it stops', async () => {
    const controller = new AbortController();
    const io = { ...createTestIo(directory), signal: controller.signal };
    const done = runCli(['serve', paths.classify, '--model', `qa=${paths.qa}`, '--port', '0', '--max-wait-ms', '300', '--threads', '1'], io, COMMANDS);
    let url: string | undefined;
    for (let tries = 0; tries < 200 && url === undefined; tries++) {
      url = /listening on (http:\/\/\S+)/.exec(io.out())?.[1];
      if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(url, io.err()).toBeDefined();
    expect(io.out()).toContain('spam: text-classification (ham, spam) at POST /v1/predict and /v1/models/spam/predict');
    expect(io.out()).toContain('qa: question-answering at POST /v1/models/qa/predict');
    // The request waits 300 ms for a batch; the stop arrives meanwhile.
    const inFlight = fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: ['the whale'] }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { outputs: Array<{ label: string }> }).outputs[0].label).toMatch(/^(ham|spam)$/);
    expect(await done).toBe(0);
    expect(io.out()).toContain('pofa serve: stopped');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('refuses a missing bundle and clashing names with one message', async () => {
    const io = createTestIo(directory);
    expect(await runCli(['serve'], io, COMMANDS)).not.toBe(0);
    expect(io.err()).toContain('pofa serve needs a bundle');
    const clash = createTestIo(directory);
    expect(await runCli(['serve', paths.classify, '--model', `spam=${paths.qa}`, '--port', '0'], clash, COMMANDS)).not.toBe(0);
    expect(clash.err()).toContain('Two models are named "spam"');
  });
});
