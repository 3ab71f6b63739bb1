import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, readSafetensorsRaw } from '@pofa/core';
import { loadPretrained } from '@pofa/models';
import { sparsityReport } from '@pofa/prune';
import { dequantizeInt8 } from '@pofa/quant';
import { compressionReport, isPackedWeight, readBundle, unpackWeight } from '@pofa/sparse-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index';
import { runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { runCompress } from './compress';
import { reportRowSchema } from './report-table';

describe('pofa compress at the test scale', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-compress-'));
  });

  it('runs every stage and reports dense, sparse and sparse-int8 rows at the target sparsity', async () => {
    const io = createTestIo(dir);
    const code = await runCli(['compress', '--scale', 'test', '--out', 'run-a', '--cache', 'cache', '--json', 'rows.json', '--seed', '3'], io, COMMANDS);
    expect(io.err().split('\n').filter((line) => line.startsWith('pofa: ') && !/ \.\.\.$| (done|reused) in /.test(line))).toEqual([]);
    expect(code).toBe(0);
    const [baseline, ...rows] = (JSON.parse(await readFile(join(dir, 'rows.json'), 'utf8')) as unknown[]).map((row) => reportRowSchema.parse(row));
    expect([baseline, ...rows].map((row) => row.stage)).toEqual(['baseline', 'dense', 'sparse', 'sparse-int8']);
    // The TF-IDF baseline scores the same test split with the same metric, and has no model sizes.
    expect(baseline).toMatchObject({ task: 'spam', metric: 'f1', runtimeValue: null, sparsity: null, bundleBytes: null, latencyMs: null });
    expect(baseline.value).toBeGreaterThanOrEqual(0);
    for (const row of rows) {
      expect(row.task).toBe('spam');
      expect(row.metric).toBe('f1');
      expect(row.value).toBeGreaterThanOrEqual(0);
      expect(row.value).toBeLessThanOrEqual(1);
      expect(row.latencyMs).toBeGreaterThan(0);
    }
    const [dense, sparse, int8] = rows;
    // Sizes come from the bundles on disk: read them back independently of the pipeline.
    const reports = await Promise.all(['dense', 'sparse', 'sparse-int8'].map(async (stage) => compressionReport(await readBundle(join(dir, 'run-a', 'bundles', `${stage}.pofa`)))));
    rows.forEach((row, index) => {
      expect(row.encoderBytesOnDisk).toBe(reports[index].onDiskBytes);
      expect(row.bundleBytes).toBe(reports[index].fileBytes);
      expect(row.encoderBytesNominal).toBe((reports[index].nonZeros * reports[index].bits) / 8);
      expect(row.runtimeValue).toBeGreaterThanOrEqual(0);
    });
    expect(reports.map((report) => report.bits)).toEqual([32, 32, 8]);
    // 90% of the Linear weights gone: the sparse encoder is smaller, int8 smaller still, nominally and on disk.
    expect(sparse.encoderBytesNominal).toBeLessThan((dense.encoderBytesNominal as number) / 5);
    expect(int8.encoderBytesNominal).toBeLessThan(sparse.encoderBytesNominal as number);
    expect(sparse.encoderBytesOnDisk).toBeLessThan(dense.encoderBytesOnDisk as number);
    expect(int8.encoderBytesOnDisk).toBeLessThan(sparse.encoderBytesOnDisk as number);
    expect(dense.speedup).toBe(1);

    // The sparsity of the transferred model, measured independently of the pipeline.
    const { model } = await loadPretrained(join(dir, 'run-a', 'sparse-transfer', 'model'), { task: 'sequence-classification' });
    const report = sparsityReport(model);
    for (const tensor of report.rows) {
      // Layer-wise magnitude pruning removes exactly floor(0.9 * count) weights of each tensor.
      expect(tensor.count - tensor.nonZeros).toBe(Math.floor(0.9 * tensor.count));
    }
    expect(report.total.sparsity).toBeCloseTo(0.9, 2);
    expect(sparse.sparsity).toBeCloseTo(report.total.sparsity, 10);

    // QAT kept the pattern: every weight pruned before QAT is an integer 0 in the int8 export, and
    // the int8 bundle holds exactly the QAT weights (per-tensor scale, as the Prune OFA code).
    const { tensors } = await readSafetensorsRaw(join(dir, 'run-a', 'quantize', 'model-int8.safetensors'));
    const qat = dequantizeInt8(tensors);
    const bundle = await readBundle(join(dir, 'run-a', 'bundles', 'sparse-int8.pofa'));
    for (const tensor of report.rows) {
      const before = model.getParameter(tensor.name)!.variable.dataSync();
      const quantized = tensors[tensor.name].data as Int8Array;
      expect(tensors[tensor.name].dtype).toBe('I8');
      expect(tensors[tensor.name.replace(/weight$/, 'weight_scale')].shape).toEqual([]);
      before.forEach((value, index) => value === 0 && expect(quantized[index]).toBe(0));
      const packed = bundle.tensors.get(tensor.name)!;
      expect(isPackedWeight(packed) && packed.dtype).toBe('int8');
      expect(Array.from(unpackWeight(packed as Parameters<typeof unpackWeight>[0]))).toEqual(Array.from(qat[tensor.name].data as Float32Array));
    }
    expect(int8.sparsity).toBeGreaterThanOrEqual(sparse.sparsity as number);
    expect(Object.keys(bundle.quantization?.activations ?? {})).toHaveLength(report.rows.length);
    model.dispose();
    expect(io.out()).toContain('| sparse-int8 |');
    expect(io.out()).toMatch(/after QAT: \d+\.\d+%, every pruned weight still zero/);
  });

  it('reuses the cached vocabulary and teachers in a second run', async () => {
    const result = await runCompress({ scale: 'test', out: 'run-b', cache: 'cache', seed: 3 }, { progress: false, env: {}, cwd: dir });
    const reused = Object.fromEntries(result.timings.map((timing) => [timing.stage, timing.reused]));
    expect(reused['WordPiece vocabulary']).toBe(true);
    expect(reused['teacher pre-training (masked LM)']).toBe(true);
    expect(reused['teacher fine-tuning']).toBe(true);
    expect(reused['sparse pre-training (distillation + gradual magnitude pruning)']).toBe(false);
    expect(result.rows.map((row) => row.stage)).toEqual(['baseline', 'dense', 'sparse', 'sparse-int8']);
  });

  it('adapts the vocabulary and the teacher to a user file, and keeps the teacher fine-tuning step that scored best', async () => {
    // Two classes of made-up words no embedded text has: the file's own vocabulary.
    const rows = Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? `the zorblax number ${index} glimmers\tzorb` : `a quuxfoo item ${index} rattles\tquux`));
    await writeFile(join(dir, 'made-up.tsv'), `text\tlabel\n${rows.join('\n')}\n`);
    const result = await runCompress({ scale: 'test', task: 'made-up.tsv', out: 'run-f', cache: 'cache', seed: 3 }, { progress: false, env: {}, cwd: dir });
    const reused = Object.fromEntries(result.timings.map((timing) => [timing.stage, timing.reused]));
    // Same seed and cache as run-a (spam): a vocabulary and a teacher of their own, not spam's.
    expect(reused['WordPiece vocabulary']).toBe(false);
    expect(reused['teacher pre-training (masked LM)']).toBe(false);
    const vocab = (file: string) => readFile(join(dir, file), 'utf8').then((text) => text.split('\n'));
    expect(await vocab('run-f/vocab.txt')).toEqual(expect.arrayContaining(['zorblax', 'quuxfoo']));
    expect(await vocab('run-a/vocab.txt')).not.toContain('zorblax');
    // The test scale fine-tunes the teacher 6 steps, scored after each: the kept step is the first with the best score.
    const log = (await readFile(join(dir, 'run-f', 'teacher-finetune', 'log.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { step: number; eval?: { accuracy: number } });
    const scored = log.flatMap((entry) => (entry.eval === undefined ? [] : [{ step: entry.step, value: entry.eval.accuracy }]));
    expect(scored.map((entry) => entry.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const bestValue = Math.max(...scored.map((entry) => entry.value));
    // A tie goes to the later step.
    const keptAt = scored.filter((entry) => entry.value === bestValue).at(-1)?.step;
    expect(result.teacherKept).toEqual({ step: keptAt, steps: 6, metric: 'accuracy', value: bestValue });
  });

  it('stops on interrupt, refuses to overwrite the interrupted run, and resumes with --resume', async () => {
    const controller = new AbortController();
    const progress = {
      write: (text: string) => {
        if (text.startsWith('pofa: sparse transfer')) controller.abort();
      },
    };
    const options = { scale: 'test' as const, out: 'run-c', cache: 'cache', seed: 3, pattern: '4x1' as const, sparsity: 0.75 };
    await expect(runCompress(options, { progress, env: {}, cwd: dir, signal: controller.signal })).rejects.toThrow(/Interrupted during sparse transfer.*--resume/);
    const fresh = createTestIo(dir);
    expect(await runCli(['compress', '--scale', 'test', '--out', 'run-c', '--cache', 'cache'], fresh, COMMANDS)).toBe(1);
    expect(fresh.err()).toMatch(/run-c holds an interrupted run.*--resume/);
    const changed = createTestIo(dir);
    expect(await runCli(['compress', '--scale', 'test', '--out', 'run-c', '--cache', 'cache', '--seed', '3', '--resume'], changed, COMMANDS)).toBe(1);
    expect(changed.err()).toMatch(/Cannot resume .* with other settings.*changes to (pattern, sparsity|sparsity, pattern)/);
    const resumed = await runCompress({ ...options, resume: true }, { progress: false, env: {}, cwd: dir });
    const stages = Object.fromEntries(resumed.timings.map((timing) => [timing.stage, timing.reused]));
    expect(stages['sparse pre-training (distillation + gradual magnitude pruning)']).toBe(true);
    expect(stages['sparse transfer (pattern lock + task distillation)']).toBe(false);
    expect(resumed.sparsity).toBeCloseTo(0.75, 2);
  });

  it('runs the same pipeline stage by stage with pofa pretrain, prune, finetune and quantize', async () => {
    const stage = async (argv: string[]) => {
      const io = createTestIo(dir);
      const code = await runCli(argv, io, COMMANDS);
      return { code, out: io.out(), err: io.err() };
    };
    const { access } = await import('node:fs/promises');
    const exists = (path: string) => access(join(dir, 'run-s', path)).then(() => true, () => false);
    const pretrain = await stage(['pretrain', '--scale', 'test', '--out', 'run-s', '--cache', 'cache', '--seed', '3']);
    expect(pretrain.code).toBe(0);
    expect(pretrain.out).toContain('Stopped after pretrain');
    expect(await exists('sparse-pretrain')).toBe(false);
    expect((await stage(['prune', '--out', 'run-s', '--cache', 'cache'])).code).toBe(0);
    expect(await exists('sparse-pretrain/done.json')).toBe(true);
    expect(await exists('sparse-transfer')).toBe(false);
    expect((await stage(['finetune', '--out', 'run-s', '--cache', 'cache'])).code).toBe(0);
    expect(await exists('sparse-transfer/done.json')).toBe(true);
    expect(await exists('quantize')).toBe(false);
    const quantize = await stage(['quantize', '--out', 'run-s', '--cache', 'cache', '--json', 'stage-rows.json']);
    expect(quantize.code).toBe(0);
    expect(quantize.out).toContain('| sparse-int8 |');
    expect(JSON.parse(await readFile(join(dir, 'run-s', 'run.json'), 'utf8')).completed).toBe(true);
    // Same settings and seed as run-a: the stage commands train exactly the models pofa compress trained.
    for (const file of ['sparse-transfer/model/model.safetensors', 'quantize/model-int8.safetensors']) {
      expect(Buffer.compare(await readFile(join(dir, 'run-s', file)), await readFile(join(dir, 'run-a', file)))).toBe(0);
    }
    const missing = await stage(['prune', '--out', 'nowhere']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/No run to continue in nowhere.*pofa pretrain --out nowhere/);
  });
});
