import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@pofa/core';
import { loadPretrained, type EncoderModel } from '@pofa/models';
import { createEncoderRuntime, encoderTensorShapes, exportBundle, layerTensorNames, loadKernels, readBundle } from '@pofa/sparse-kernels';
import { smallBert } from '../../../onnx/src/__fixtures__/onnx-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { runCompress } from '../pipeline/compress';
import { SCALES } from '../pipeline/scales';
import { benchInputs } from '../reproduce/bench-engines';
import { runBench, type BenchReport } from '../reproduce/bench-latency';
import { benchModels, modelFromBundle } from '../reproduce/bench-models';
import { createOrtSession, loadOnnxRuntime, ortFeeds, ortHeadOutput, ortSessionOptions } from '../reproduce/bench-onnx';
import { COMMANDS } from './index';
import { locateModel } from './model-source';

async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo(cwd);
  const code = await runCli(argv, io, COMMANDS);
  return { code, out: io.out(), err: io.err() };
}

/** A table row's leading cells, whatever the column widths; `*` stands for any one cell. */
function rowPattern(...cells: string[]): RegExp {
  return new RegExp(`\\|${cells.map((cell) => (cell === '*' ? '[^|]+' : ` ${cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +`)).join('\\|')}\\|`);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((max, value, index) => Math.max(max, Math.abs(value - b[index])), 0);
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
  it('times every bundle of a run beside onnxruntime fp32 and int8 and tfjs, with tokens/s, speedups, memory and checks', async () => {
    const { code, out } = await cli(dir, ['bench', 'run', '--batch', '3', '--seq', '8', '--iterations', '3', '--threads', '1', '--json', 'bench.json']);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'bench.json'), 'utf8')) as BenchReport;
    // The command picks the CLI's backend (pofa-native where the addon loads).
    const backend = tf.getBackend();
    expect(report).toMatchObject({ target: 'run', batch: 3, seq: 8, iterations: 3, warmup: 3, threads: 1, backend, onnxruntime: { version: '1.23.2', intraOpNumThreads: 1, interOpNumThreads: 1 } });
    expect(report.rows.map((row) => [row.model, row.engine, row.layout, row.bits])).toEqual([
      ['dense', 'pofa runtime', 'dense', 32],
      ['sparse', 'pofa runtime', 'csr', 32],
      ['sparse-int8', 'pofa runtime', 'csr', 8],
      ['dense', 'onnxruntime', 'dense', 32],
      ['sparse-int8', 'onnxruntime', 'dense', 8],
      ['dense', 'tfjs', backend, 32],
    ]);
    expect(report.order).toEqual(['pofa runtime dense', 'pofa runtime sparse', 'pofa runtime sparse-int8', 'onnxruntime fp32 dense', 'onnxruntime int8 sparse-int8', 'tfjs dense']);
    const [, , int8, ortFp32, ortInt8, tfjs] = report.rows;
    // Speedups are medians of the per-round ratios of the times the report lists.
    const medianRatio = (baseline: number[], times: number[]) => times.map((time, round) => baseline[round] / time).sort((a, b) => a - b)[1];
    for (const row of report.rows) {
      expect(row.times).toHaveLength(3);
      expect(row.msPerBatch).toBe([...row.times].sort((a, b) => a - b)[1]);
      expect(row.tokensPerSecond).toBeCloseTo((3 * 8 * 1000) / row.msPerBatch!, 6);
      expect(row.speedupOverOrtFp32).toBeCloseTo(medianRatio(ortFp32.times, row.times), 12);
      expect(row.speedupOverTfjs).toBeCloseTo(medianRatio(tfjs.times, row.times), 12);
      expect(row.memoryMb).toBeGreaterThanOrEqual(0);
      expect(row.check === null || row.check.agrees).toBe(true);
    }
    expect(int8.speedupOverOrtInt8).toBeCloseTo(medianRatio(ortInt8.times, int8.times), 12);
    expect(ortInt8.speedupOverOrtInt8).toBe(1);
    expect(report.rows.filter((row) => row.bits === 32).map((row) => row.speedupOverOrtInt8)).toEqual([null, null, null, null]);
    // Each engine was compared with the onnxruntime fp32 model of its own weights.
    expect(report.rows.map((row) => row.check?.reference ?? null)).toEqual([
      'onnxruntime fp32 dense', 'onnxruntime fp32 sparse', 'onnxruntime fp32 sparse-int8', null, 'onnxruntime fp32 sparse-int8', 'onnxruntime fp32 dense',
    ]);
    expect(report.rows[0].check!.maxDifference).toBeLessThan(1e-4);
    // The runtime's memory counts its bundle's arrays: at least the dense model's fp32 parameters.
    const { config } = await readBundle(join(dir, 'run', 'bundles', 'dense.pofa'));
    const parameters = [...encoderTensorShapes(config).values()].reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    expect(report.rows[0].memoryMb).toBeGreaterThanOrEqual((4 * parameters) / 2 ** 20);
    expect(report.rows[0].sparsity).toBe(0);
    expect(report.rows[1].sparsity).toBeGreaterThan(0.85);
    expect(report.loadAverage.start).toHaveLength(3);
    expect(report.loadAverage.end).toHaveLength(3);
    expect(report.peakRssMb).toBeGreaterThan(0);
    expect(out).toMatch(rowPattern('model', 'engine', 'layout', 'bits', 'sparsity', 'ms/batch', 'tokens/s', 'vs ORT fp32', 'vs ORT int8', 'vs tfjs', 'memory MB', 'check'));
    expect(out).toMatch(rowPattern('dense', 'onnxruntime', 'dense', '32', '0.00%'));
    expect(out).toMatch(rowPattern('dense', 'tfjs', backend, '32', '0.00%'));
    expect(out).toContain('each round the engines take turns: pofa runtime dense, pofa runtime sparse, pofa runtime sparse-int8, onnxruntime fp32 dense, onnxruntime int8 sparse-int8, tfjs dense.');
    expect(out).toMatch(/onnxruntime-node 1\.23\.2 \(intra-op 1, inter-op 1\)/);
    expect(out).toMatch(/Load average \(1 minute, \d+ cores?\): \d+\.\d\d at start, \d+\.\d\d at end/);
    expect(out).toContain('Report written to bench.json');
  });

  it('onnxruntime gives the bundles\' logits: fp32 within float rounding, its dynamic int8 near the int8 runtime', async () => {
    const ort = await loadOnnxRuntime();
    for (const name of ['sparse', 'sparse-int8']) {
      const bundle = await readBundle(join(dir, 'run', 'bundles', `${name}.pofa`));
      const inputs = benchInputs(bundle.config.vocabSize, 2, 8);
      const runtime = createEncoderRuntime(bundle, { kernels: loadKernels({ threads: 1 }) });
      const expected = runtime.run(inputs).logits!;
      const scale = Math.max(...Array.from(expected, Math.abs));
      const fp32 = await createOrtSession(ort, bundle, { int8: false, threads: 1 });
      const fromOrt = ortHeadOutput(await fp32.run(ortFeeds(ort, inputs, bundle.config.family)));
      await fp32.release();
      expect(fromOrt).toHaveLength(expected.length);
      // fp32: the same weights, float rounding apart; int8 weights dequantized, the runtime's activation quantization apart.
      expect(maxDifference(fromOrt, expected)).toBeLessThan(name === 'sparse' ? 1e-4 * Math.max(1, scale) : 0.05 * scale);
      if (name === 'sparse-int8') {
        const int8 = await createOrtSession(ort, bundle, { int8: true, threads: 1 });
        const dynamic = ortHeadOutput(await int8.run(ortFeeds(ort, inputs, bundle.config.family)));
        await int8.release();
        expect(maxDifference(dynamic, expected)).toBeLessThan(0.05 * scale);
        expect(maxDifference(dynamic, fromOrt)).toBeGreaterThan(0);
      }
    }
  });

  it('takes turns round by round on the clock it is given, and passes --threads to both engines', async () => {
    const models = await benchModels(await locateModel(join(dir, 'run', 'bundles', 'sparse-int8.pofa'), dir));
    const seen: string[] = [];
    let now = 0;
    let cost = 0;
    const costs: Record<string, number> = { 'pofa runtime sparse-int8': 1, 'onnxruntime fp32 sparse-int8': 6, 'onnxruntime int8 sparse-int8': 2 };
    let settles = 0;
    const report = await runBench(models, { batch: 1, seq: 4, iterations: 2, warmup: 1, threads: 1, tfjs: false }, 'x', {
      onRun: (label, round) => {
        seen.push(`${round} ${label}`);
        cost = costs[label] * (round + 2);
      },
      // Before every run, untimed: waiting for idle threads adds nothing to the times below.
      settle: () => {
        seen.push('settle');
        now += 1000;
        return ++settles;
      },
      // The run's cost lands between the clock reading before it and the one after.
      clock: () => {
        const reading = now;
        now += cost;
        cost = 0;
        return reading;
      },
    });
    await models.dispose();
    expect(seen).toEqual([-1, 0, 1].flatMap((round) => Object.keys(costs).flatMap((label) => ['settle', `${round} ${label}`])));
    const [pofa, ortFp32, ortInt8] = report.rows;
    expect([pofa.times, ortFp32.times, ortInt8.times]).toEqual([[2, 3], [12, 18], [4, 6]]);
    // Settles 4..9 came before the timed rounds' runs (1..3: the warm-up round); the row keeps their median.
    expect([pofa.idleWaitMs, ortFp32.idleWaitMs, ortInt8.idleWaitMs]).toEqual([5.5, 6.5, 7.5]);
    expect([pofa.speedupOverOrtFp32, pofa.speedupOverOrtInt8, ortInt8.speedupOverOrtFp32, pofa.speedupOverTfjs]).toEqual([6, 2, 3, null]);
    expect(report.backend).toBeNull();
    expect([report.threads, report.onnxruntime?.intraOpNumThreads, report.onnxruntime?.interOpNumThreads]).toEqual([1, 1, 1]);
    expect(ortSessionOptions(3)).toMatchObject({ intraOpNumThreads: 3, interOpNumThreads: 1, executionProviders: ['cpu'] });
  });

  it('reports an engine whose outputs disagree with the reference, and does not time it', async () => {
    // A miscalibrated int8 bundle: on the runtime every encoder Linear clips its inputs to ±0.001 (its
    // recorded activation ranges); onnxruntime's dynamic int8 model quantizes them by their own range.
    const model = smallBert('sequence-classification', 7);
    const activations: Record<string, [number, number]> = {};
    for (let layer = 0; layer < 2; layer++) {
      const names = layerTensorNames('bert', layer);
      for (const role of ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output'] as const) activations[names[role].weight.slice(0, -'.weight'.length)] = [-0.001, 0.001];
    }
    await exportBundle(model, join(dir, 'clipped.pofa'), { format: 'csr', int8: { activations } });
    model.dispose();
    const { code, out } = await cli(dir, ['bench', 'clipped.pofa', '--batch', '2', '--seq', '8', '--iterations', '1', '--threads', '1', '--no-tfjs', '--json', 'clipped.json']);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'clipped.json'), 'utf8')) as BenchReport;
    const [pofa, ortFp32, ortInt8] = report.rows;
    expect(pofa.check).toMatchObject({ reference: 'onnxruntime fp32 clipped', agrees: false });
    expect(pofa.check!.maxDifference).toBeGreaterThan(pofa.check!.tolerance);
    expect([pofa.msPerBatch, pofa.times, pofa.speedupOverOrtFp32]).toEqual([null, [], null]);
    expect(report.order).toEqual(['onnxruntime fp32 clipped', 'onnxruntime int8 clipped']);
    expect(ortFp32.msPerBatch).toBeGreaterThan(0);
    expect(ortInt8.check!.agrees).toBe(true);
    expect(out).toMatch(rowPattern('clipped', 'pofa runtime', 'csr', '8', '*', '—', '—', '—', '—', '—'));
    expect(out).toMatch(/Not timed: clipped on pofa runtime \(8 bits\) differs from onnxruntime fp32 clipped by up to \S+ \(tolerance \S+\)\./);
  });

  it("measures a .pofa bundle and a Hugging Face directory, on sequences as long as the model's positions by default", async () => {
    const bundle = await cli(dir, ['bench', join('run', 'bundles', 'sparse-int8.pofa'), '--iterations', '1', '--batch', '1']);
    expect(bundle.code).toBe(0);
    expect(bundle.out).toContain(`batch 1 x ${SCALES.test.maxLength} tokens`);
    expect(bundle.out).toMatch(rowPattern('sparse-int8', 'pofa runtime', 'csr', '8'));
    expect(bundle.out).toMatch(rowPattern('sparse-int8', 'onnxruntime', 'dense', '8'));
    expect(bundle.out).toMatch(rowPattern('sparse-int8', 'tfjs', tf.getBackend(), '32'));
    const hf = await cli(dir, ['bench', join('run', 'sparse-transfer', 'model'), '--iterations', '1', '--batch', '1']);
    expect(hf.code).toBe(0);
    // 90% of its encoder Linear weights are zero: the temporary bundle is CSR.
    expect(hf.out).toMatch(rowPattern('model', 'pofa runtime', 'csr', '32'));
    expect(hf.out).toMatch(rowPattern('model', 'onnxruntime', 'dense', '32'));
    const skipped = await cli(dir, ['bench', join('run', 'bundles', 'sparse.pofa'), '--iterations', '1', '--batch', '1', '--no-tfjs', '--no-ort']);
    expect(skipped.code).toBe(0);
    expect(skipped.out).not.toMatch(/\| (tfjs|onnxruntime) /);
    expect(skipped.out).toMatch(rowPattern('sparse', 'pofa runtime', 'csr', '32', '*', '*', '*', '—', '—', '—'));
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
