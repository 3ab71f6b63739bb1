import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { loadPretrained } from '@pofa/models';
import { sparsityReport } from '@pofa/prune';
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
    const rows = (JSON.parse(await readFile(join(dir, 'rows.json'), 'utf8')) as unknown[]).map((row) => reportRowSchema.parse(row));
    expect(rows.map((row) => row.stage)).toEqual(['dense', 'sparse', 'sparse-int8']);
    for (const row of rows) {
      expect(row.task).toBe('spam');
      expect(row.metric).toBe('f1');
      expect(row.value).toBeGreaterThanOrEqual(0);
      expect(row.value).toBeLessThanOrEqual(1);
      expect(row.latencyMs).toBeGreaterThan(0);
    }
    const [dense, sparse, int8] = rows;
    // 90% of the Linear weights gone: the sparse encoder is nominally smaller, int8 smaller still.
    expect(sparse.encoderBytesNominal).toBeLessThan(dense.encoderBytesNominal as number);
    expect(int8.encoderBytesNominal).toBeLessThan(sparse.encoderBytesNominal as number);
    expect(sparse.encoderBytesOnDisk).toBeNull();

    // The sparsity of the transferred model, measured independently of the pipeline.
    const { model } = await loadPretrained(join(dir, 'run-a', 'sparse-transfer', 'model'), { task: 'sequence-classification' });
    const report = sparsityReport(model);
    for (const tensor of report.rows) {
      // Layer-wise magnitude pruning removes exactly floor(0.9 * count) weights of each tensor.
      expect(tensor.count - tensor.nonZeros).toBe(Math.floor(0.9 * tensor.count));
    }
    expect(report.total.sparsity).toBeCloseTo(0.9, 2);
    model.dispose();
    expect(io.out()).toContain('| sparse-int8 |');
  });

  it('reuses the cached vocabulary and teachers in a second run', async () => {
    const result = await runCompress({ scale: 'test', out: 'run-b', cache: 'cache', seed: 3 }, { progress: false, env: {}, cwd: dir });
    const reused = Object.fromEntries(result.timings.map((timing) => [timing.stage, timing.reused]));
    expect(reused['WordPiece vocabulary']).toBe(true);
    expect(reused['teacher pre-training (masked LM)']).toBe(true);
    expect(reused['teacher fine-tuning']).toBe(true);
    expect(reused['sparse pre-training (distillation + gradual magnitude pruning)']).toBe(false);
    expect(result.rows).toHaveLength(3);
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
});
