import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@pofa/core';
import { loadPretrained, type EncoderModel } from '@pofa/models';
import { readBundle } from '@pofa/sparse-kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { runCompress } from '../pipeline/compress';
import { SCALES } from '../pipeline/scales';
import type { BenchReport } from '../reproduce/bench-latency';
import { modelFromBundle } from '../reproduce/bench-models';
import { COMMANDS } from './index';

async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo(cwd);
  const code = await runCli(argv, io, COMMANDS);
  return { code, out: io.out(), err: io.err() };
}

/** A table row's leading cells, whatever the column widths. */
function rowPattern(...cells: string[]): RegExp {
  return new RegExp(`\\|${cells.map((cell) => ` ${cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +`).join('\\|')}\\|`);
}

function logits(model: EncoderModel): number[] {
  model.eval();
  return tf.tidy(() => Array.from(model.forward({ inputIds: tf.tensor2d([[2, 17, 45, 101, 33, 7, 3, 0]], undefined, 'int32'), attentionMask: tf.tensor2d([[1, 1, 1, 1, 1, 1, 1, 0]], undefined, 'int32') }).logits!.dataSync()));
}

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-bench-'));
  await runCompress({ scale: 'test', out: 'run', cache: 'cache', seed: 3 }, { progress: false, env: {}, cwd: dir });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pofa bench', () => {
  it('times every bundle of a run on the runtime and its dense model on tfjs, with tokens/s and speedups', async () => {
    const { code, out } = await cli(dir, ['bench', 'run', '--batch', '3', '--seq', '8', '--iterations', '2', '--threads', '1', '--json', 'bench.json']);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'bench.json'), 'utf8')) as BenchReport;
    // The command picks the CLI's backend (pofa-native where the addon loads).
    const backend = tf.getBackend();
    expect(report).toMatchObject({ target: 'run', batch: 3, seq: 8, iterations: 2, warmup: 3, threads: 1, backend });
    expect(report.rows.map((row) => [row.model, row.engine, row.layout, row.bits])).toEqual([
      ['dense', 'pofa runtime', 'dense', 32],
      ['sparse', 'pofa runtime', 'csr', 32],
      ['sparse-int8', 'pofa runtime', 'csr', 8],
      ['dense', 'tfjs', backend, 32],
    ]);
    const peer = report.rows[3];
    for (const row of report.rows) {
      expect(row.msPerBatch).toBeGreaterThan(0);
      expect(row.tokensPerSecond).toBeCloseTo((3 * 8 * 1000) / row.msPerBatch, 6);
      expect(row.speedup).toBeCloseTo(peer.msPerBatch / row.msPerBatch, 12);
    }
    expect(report.rows[0].sparsity).toBe(0);
    expect(report.rows[1].sparsity).toBeGreaterThan(0.85);
    expect(out).toMatch(rowPattern('model', 'engine', 'layout', 'bits', 'sparsity', 'ms/batch', 'tokens/s', 'speedup vs tfjs'));
    expect(out).toMatch(rowPattern('dense', 'tfjs', backend, '32', '0.00%'));
    expect(out).toContain('Report written to bench.json');
  });

  it("measures a .pofa bundle and a Hugging Face directory, on sequences as long as the model's positions by default", async () => {
    const bundle = await cli(dir, ['bench', join('run', 'bundles', 'sparse-int8.pofa'), '--iterations', '1', '--batch', '1']);
    expect(bundle.code).toBe(0);
    expect(bundle.out).toContain(`batch 1 x ${SCALES.test.maxLength} tokens`);
    expect(bundle.out).toMatch(rowPattern('sparse-int8', 'pofa runtime', 'csr', '8'));
    expect(bundle.out).toMatch(rowPattern('sparse-int8', 'tfjs', tf.getBackend(), '32'));
    const hf = await cli(dir, ['bench', join('run', 'sparse-transfer', 'model'), '--iterations', '1', '--batch', '1']);
    expect(hf.code).toBe(0);
    // 90% of its encoder Linear weights are zero: the temporary bundle is CSR.
    expect(hf.out).toMatch(rowPattern('model', 'pofa runtime', 'csr', '32'));
  });

  it('runs the tfjs peer on exactly the weights of the bundle', async () => {
    const { model: saved } = await loadPretrained(join(dir, 'run', 'sparse-transfer', 'model'));
    const rebuilt = modelFromBundle(await readBundle(join(dir, 'run', 'bundles', 'sparse.pofa')));
    expect(logits(rebuilt)).toEqual(logits(saved));
    saved.dispose();
    rebuilt.dispose();
  });

  it('answers bad options and targets with one message and a non-zero exit', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['bench'], EXIT_CODES.usage, /pofa bench needs TARGET/],
      [['bench', 'run', '--batch', '0'], EXIT_CODES.usage, /Invalid value for --batch: must be an integer from 1 to 4096 \(got 0\)/],
      [['bench', 'run', '--iterations', 'many'], EXIT_CODES.usage, /Invalid value for --iterations/],
      [['bench', 'nowhere'], EXIT_CODES.failure, /Cannot read nowhere/],
      [['bench', 'run', '--seq', '100', '--iterations', '1'], EXIT_CODES.failure, new RegExp(`--seq 100 is longer than the model's ${SCALES.test.maxLength} positions`)],
      [['bench', 'run', '--iterations', '1', '--json', join('run', 'models.json', 'x.json')], EXIT_CODES.io, /Cannot write --json .*models\.json is a file, not a folder/],
    ];
    for (const [argv, exit, message] of cases) {
      const { code, err } = await cli(dir, argv);
      expect(code, argv.join(' ')).toBe(exit);
      expect(err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(err, argv.join(' ')).toMatch(message);
    }
  });
});
