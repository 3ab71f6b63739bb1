import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median, medianRatio, timeRoundRobin } from './interleave.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), 'run.mjs');
let dir;
let results;
let markdown;
let svg;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pofa-sparse-kernels-'));
  const args = ['--quick', '--layers', '1', '--hidden', '64', '--batches', '1,2', '--seqs', '16', '--rounds', '1', '--warmup', '0', '--threads', '1', '--out', dir];
  const run = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`run.mjs failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  results = JSON.parse(await readFile(join(dir, 'sparse-kernels-quick.json'), 'utf8'));
  markdown = await readFile(join(dir, 'sparse-kernels-quick.md'), 'utf8');
  svg = await readFile(join(dir, 'sparse-kernels-quick.svg'), 'utf8');
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const LABELS = ['ort fp32', 'ort int8', 'pofa dense fp32', 'pofa unstructured 90% fp32', 'pofa 4x1 90% fp32', 'pofa dense int8', 'pofa unstructured 90% int8', 'pofa 4x1 90% int8'];

describe('benchmarks/sparse-kernels --quick', () => {
  it('records the machine, the settings and the load average at start and end', () => {
    expect(results.machine).toMatchObject({ node: process.versions.node, onnxruntime: '1.23.2', threads: 1 });
    expect(typeof results.machine.cpu).toBe('string');
    expect(results.machine.loadAverage.start).toHaveLength(3);
    expect(results.machine.loadAverage.end).toHaveLength(3);
    expect(results.settings).toMatchObject({ layers: 1, hidden: 64, heads: 1, ffn: 256, batches: [1, 2], seqs: [16], sparsities: [0.9], rounds: 1, threads: 1, ort: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  });

  it('checks every engine against onnxruntime fp32 on the same weights before timing', () => {
    expect(results.checks.map((check) => check.label)).toEqual(LABELS.slice(1));
    for (const check of results.checks) expect(check.agrees, check.label).toBe(true);
    expect(results.checks.find((check) => check.label === 'pofa 4x1 90% fp32').reference).toBe('ort fp32, 4x1 90% weights');
  });

  it('times every engine in every cell, in turn, with speedups over both onnxruntime engines', () => {
    expect(results.cells.map(({ batch, seq }) => [batch, seq])).toEqual([[1, 16], [2, 16]]);
    for (const cell of results.cells) {
      expect(cell.order).toEqual(LABELS);
      const [ortFp32, ortInt8] = cell.rows;
      for (const row of cell.rows) {
        expect(row.times).toHaveLength(1);
        expect(row.msPerBatch).toBe(row.times[0]);
        expect(row.speedupVsOrtFp32).toBeCloseTo(ortFp32.times[0] / row.times[0], 12);
        expect(row.speedupVsOrtInt8).toBeCloseTo(ortInt8.times[0] / row.times[0], 12);
      }
    }
  });

  it('profiles each pofa variant by stage and reports each kernel against the measured peak', () => {
    expect(results.profiles).toHaveLength(2 * 6);
    for (const profile of results.profiles) {
      expect(Object.keys(profile.stages).sort()).toEqual(['attention', 'embeddings', 'feedForward', 'layerNorm', 'linear', 'other', 'residual']);
      const accounted = Object.values(profile.stages).reduce((sum, value) => sum + value, 0);
      expect(accounted).toBeGreaterThanOrEqual(profile.totalMs * 0.999);
      expect(profile.geluAloneMs).toBeGreaterThan(0);
      expect(profile.linearFractionOfPeak).toBeGreaterThan(0);
    }
    // 1 layer of 4 Linears 64 → 64 and two of 64 ↔ 256: the dense fp32 variant's useful multiply-adds × 2.
    expect(results.profiles.find((profile) => profile.label === 'pofa dense fp32' && profile.batch === 2).linearFlops).toBe(2 * 32 * (4 * 64 * 64 + 2 * 64 * 256));
    expect(results.peak.fp32Gflops).toBeGreaterThan(0);
    expect(results.kernels.map((kernel) => kernel.kernel)).toContain('attention');
  });

  it('writes a Markdown table per cell and an SVG plot with a panel per cell', () => {
    expect(markdown).toContain('## Batch 1 × 16 tokens');
    expect(markdown).toContain('## Batch 2 × 16 tokens');
    expect(markdown).toContain('| engine | pattern | sparsity | dtype | ms / batch | tokens / s | vs ORT fp32 | vs ORT int8 |');
    expect(markdown).toMatch(/\| pofa \| 4x1 \| 90% \| int8 \| [\d.]+ \| \d+ \| [\d.]+x \| [\d.]+x \|/);
    expect(markdown).toContain('## Where the time goes');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<text [^>]*>batch \d × 16<\/text>/g)).toHaveLength(2);
    // Four pofa lines (unstructured / 4x1 × fp32 / int8) per panel, from dense to 90%.
    expect(svg.match(/<polyline /g)).toHaveLength(8);
    for (const name of ['pofa 4x1 int8', 'onnxruntime int8 (dynamic)', 'onnxruntime fp32 (1x)']) expect(svg).toContain(`>${name}</text>`);
  });
});

describe('timeRoundRobin', () => {
  it('runs the engines in turn each round and times each run', async () => {
    const log = [];
    let now = 0;
    const engine = (label, cost) => ({
      run: () => {
        log.push(label);
        now += cost;
      },
    });
    const times = await timeRoundRobin([engine('a', 3), engine('b', 5)], undefined, { rounds: 2, warmup: 1, clock: () => now });
    expect(log).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(times).toEqual([[3, 3], [5, 5]]);
    expect(median([4, 1, 3])).toBe(3);
    expect(medianRatio([10, 40, 30], [5, 10, 10])).toBe(3);
    expect(medianRatio(undefined, [1])).toBeNull();
  });

  it('awaits settle before every run, outside the timing', async () => {
    const log = [];
    let now = 0;
    const engine = (label) => ({ run: () => void (log.push(label), (now += 2)) });
    const settle = async () => void (log.push('settle'), (now += 100));
    const times = await timeRoundRobin([engine('a'), engine('b')], undefined, { rounds: 1, warmup: 1, clock: () => now, settle });
    expect(log).toEqual(['settle', 'a', 'settle', 'b', 'settle', 'a', 'settle', 'b']);
    expect(times).toEqual([[2], [2]]);
  });
});
