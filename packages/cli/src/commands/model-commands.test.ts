import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, readSafetensorsRaw, selectTargets, tf } from '@pofa/core';
import { loadPretrained, type EncoderModel } from '@pofa/models';
import { dequantizeInt8 } from '@pofa/quant';
import { isPackedWeight, loadBundle, readBundle, unpackWeight } from '@pofa/sparse-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestIo } from '../cli/test-io';
import { runCli } from '../cli/run-cli';
import { runCompress } from '../pipeline/compress';
import { COMMANDS } from './index';

// A fixed batch of ordinary token ids (past the special tokens) with one padded row.
const INPUT_IDS = [
  [2, 17, 45, 101, 33, 7, 3, 0],
  [2, 64, 12, 3, 0, 0, 0, 0],
];
const MASK = INPUT_IDS.map((row) => row.map((id) => (id === 0 ? 0 : 1)));

function tfjsLogits(model: EncoderModel): number[] {
  model.eval();
  return tf.tidy(() => {
    const inputIds = tf.tensor2d(INPUT_IDS, undefined, 'int32');
    const attentionMask = tf.tensor2d(MASK, undefined, 'int32');
    return Array.from(model.forward({ inputIds, attentionMask }).logits!.dataSync());
  });
}

async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo(cwd);
  const code = await runCli(argv, io, COMMANDS);
  return { code, out: io.out(), err: io.err() };
}

describe('pofa export, eval and inspect on a finished run', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-models-'));
    await runCompress({ scale: 'test', out: 'run', cache: 'cache', seed: 5 }, { progress: false, env: {}, cwd: dir });
  }, 60_000);

  it('exports a stage as a Hugging Face directory that loads back to the same logits', async () => {
    const { code } = await cli(dir, ['export', 'run', '--format', 'hf', '--stage', 'sparse', '--out', 'sparse-hf']);
    expect(code).toBe(0);
    const { model: exported } = await loadPretrained(join(dir, 'sparse-hf'));
    const { model: original } = await loadPretrained(join(dir, 'run', 'sparse-transfer', 'model'), { task: 'sequence-classification' });
    expect(exported.task).toBe('sequence-classification');
    expect(tfjsLogits(exported)).toEqual(tfjsLogits(original));
    expect(await readFile(join(dir, 'sparse-hf', 'vocab.txt'), 'utf8')).toBe(await readFile(join(dir, 'run', 'vocab.txt'), 'utf8'));
    exported.dispose();
    original.dispose();
  });

  it('exports a .pofa bundle whose runtime logits match the tfjs model', async () => {
    const { code, out } = await cli(dir, ['export', 'run', '--format', 'pofa', '--stage', 'sparse', '--out', 'sparse.pofa']);
    expect(code).toBe(0);
    expect(out).toContain(`(${(await stat(join(dir, 'sparse.pofa'))).size} bytes)`);
    const runtime = await loadBundle(join(dir, 'sparse.pofa'));
    const { model } = await loadPretrained(join(dir, 'run', 'sparse-transfer', 'model'), { task: 'sequence-classification' });
    const expected = tfjsLogits(model);
    const logits = Array.from(runtime.run({ inputIds: INPUT_IDS, attentionMask: MASK }).logits!);
    logits.forEach((value, index) => expect(value).toBeCloseTo(expected[index], 4));
    expect(runtime.vocab).toEqual((await readFile(join(dir, 'run', 'vocab.txt'), 'utf8')).trimEnd().split('\n'));
    model.dispose();
  });

  it('exports the sparse-int8 stage with the QAT int8 weights', async () => {
    expect((await cli(dir, ['export', 'run', '--format', 'pofa'])).code).toBe(0);
    const bundle = await readBundle(join(dir, 'run', 'export', 'sparse-int8.pofa'));
    // Self-contained: the run's tokenizer and task with its label names, as the run's own bundles.
    expect(bundle.version).toBe(2);
    expect(bundle.task).toEqual({ kind: 'classification', name: 'spam', labels: ['ham', 'spam'] });
    expect(bundle.tokenizer).toMatchObject({ kind: 'wordpiece', lowercase: true, specialTokens: { cls: '[CLS]', sep: '[SEP]' } });
    const own = await readBundle(join(dir, 'run', 'bundles', 'sparse-int8.pofa'));
    expect([own.task, own.tokenizer]).toEqual([bundle.task, bundle.tokenizer]);
    const qat = dequantizeInt8((await readSafetensorsRaw(join(dir, 'run', 'quantize', 'model-int8.safetensors'))).tensors);
    const { model } = await loadPretrained(join(dir, 'run', 'quantize', 'model'));
    for (const [name] of selectTargets(model)) {
      const packed = bundle.tensors.get(name)!;
      expect(isPackedWeight(packed) && packed.format === 'csr' && packed.dtype === 'int8').toBe(true);
      expect(Array.from(unpackWeight(packed as Parameters<typeof unpackWeight>[0]))).toEqual(Array.from(qat[name].data as Float32Array));
    }
    model.dispose();
  });

  it('scores a bundle on the runtime as the tfjs model scores the same weights', async () => {
    expect((await cli(dir, ['export', 'run', '--format', 'hf', '--stage', 'sparse', '--out', 'sparse-eval-hf'])).code).toBe(0);
    const runtime = await cli(dir, ['eval', join('run', 'bundles', 'sparse.pofa'), '--scale', 'test', '--seed', '5', '--json']);
    const tfjs = await cli(dir, ['eval', 'sparse-eval-hf', '--scale', 'test', '--seed', '5', '--json']);
    expect(runtime.code).toBe(0);
    expect(tfjs.code).toBe(0);
    const [deployed] = JSON.parse(runtime.out);
    const [reference] = JSON.parse(tfjs.out);
    expect(deployed).toMatchObject({ engine: 'runtime', task: 'spam', split: 'test', metric: 'f1', examples: 32 });
    expect(reference.engine).toBe('tfjs');
    expect(deployed.metrics).toEqual(reference.metrics);
    const report = JSON.parse(await readFile(join(dir, 'run', 'report.json'), 'utf8'));
    expect(deployed.value).toBe(report.find((row: { stage: string }) => row.stage === 'sparse').runtimeValue);
    const table = await cli(dir, ['eval', 'run']);
    expect(table.code).toBe(0);
    expect(table.out.match(/\| runtime \| spam/g)).toHaveLength(3);
  });

  it('inspects a .pofa bundle tensor by tensor', async () => {
    const path = join(dir, 'run', 'bundles', 'sparse-int8.pofa');
    const { code, out } = await cli(dir, ['inspect', path, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    const { model } = await loadPretrained(join(dir, 'run', 'sparse-transfer', 'model'), { task: 'sequence-classification' });
    expect(report.fileBytes).toBe((await stat(path)).size);
    expect(report.tensors.map((tensor: { name: string }) => tensor.name).sort()).toEqual(model.namedParameters().map(([name]) => name).sort());
    const targets = new Map(selectTargets(model));
    let onDisk = 0;
    for (const tensor of report.tensors) {
      const parameter = targets.get(tensor.name);
      if (parameter === undefined) {
        expect(tensor).toMatchObject({ format: 'dense', bits: 32, nominalBytes: 4 * tensor.shape[0] * (tensor.shape[1] ?? 1) });
        continue;
      }
      // QAT keeps every pruned weight at zero, so the int8 weight is at least as sparse as the transferred one.
      const values = parameter.variable.dataSync();
      const zeros = values.filter((value) => value === 0).length;
      expect(tensor).toMatchObject({ format: 'csr', dtype: 'int8', bits: 8 });
      expect(tensor.sparsity).toBeGreaterThanOrEqual(zeros / values.length);
      expect(tensor.nominalBytes).toBe(Math.round((1 - tensor.sparsity) * values.length));
      onDisk += tensor.onDiskBytes;
    }
    expect(onDisk).toBe(report.compression.onDiskBytes);
    const table = await cli(dir, ['inspect', path]);
    expect(table.out).toMatch(/\| encoder\.layer\.0\.attention\.self\.query\.weight +\| csr +\| int8 +\| \[16, 16\] +\| 8 +\|/);
    expect(table.out).toContain('Encoder Linear weights:');
    expect(table.out).toContain('(.pofa version 2)');
    expect(table.out).toMatch(/^Task: classification \(spam\), labels ham, spam; tokenizer: WordPiece, uncased, at most \d+ tokens$/m);
    expect(report.task).toEqual({ kind: 'classification', name: 'spam', labels: ['ham', 'spam'] });
    model.dispose();
  });

  it('serves the run\'s sparse-int8 bundle: pofa serve answers with the task\'s label names', async () => {
    const controller = new AbortController();
    const io = { ...createTestIo(dir), signal: controller.signal };
    const done = runCli(['serve', join('run', 'bundles', 'sparse-int8.pofa'), '--port', '0'], io, COMMANDS);
    let url: string | undefined;
    for (let tries = 0; tries < 400 && url === undefined; tries++) {
      url = /listening on (http:\/\/\S+)/.exec(io.out())?.[1];
      if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(url, io.err()).toBeDefined();
    const response = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: ['Win money now, click here', 'See you at the meeting tomorrow'], parameters: { topK: 2 } }) });
    expect(response.status).toBe(200);
    const { outputs } = (await response.json()) as { outputs: Array<Array<{ label: string; score: number }>> };
    for (const labels of outputs) {
      expect(labels.map(({ label }) => label).sort()).toEqual(['ham', 'spam']);
      expect(labels[0].score + labels[1].score).toBeCloseTo(1, 5);
    }
    controller.abort();
    expect(await done).toBe(0);
  });

  it('answers export mistakes with one message', async () => {
    const bundle = await cli(dir, ['export', join('run', 'bundles', 'sparse.pofa'), '--format', 'hf']);
    expect(bundle.code).toBe(1);
    expect(bundle.err).toMatch(/already a \.pofa bundle/);
    const missing = await cli(dir, ['export', 'run']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--format hf or --format pofa');
    const nothing = await cli(dir, ['eval', 'cache']);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toMatch(/Cannot tell what cache holds/);
  });
});
