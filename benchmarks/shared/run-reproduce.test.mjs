import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { reproduceOfa, reproducePruneOfa } from '@pofa/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as ofaRun } from '../ofa/index.mjs';
import { run as pruneOfaRun, SCALES } from '../prune-ofa/index.mjs';
import { RESULTS_DIR, reproduceArguments, runReproduce } from './run-reproduce.mjs';

function testIo(cwd) {
  const out = [];
  const err = [];
  return { stdout: { write: (text) => out.push(text) }, stderr: { write: (text) => err.push(text) }, env: {}, cwd, out: () => out.join(''), err: () => err.join('') };
}

let dir;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-bench-scripts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the benchmark scripts', () => {
  it('are pofa reproduce --only <benchmark>, writing to benchmarks/results/ unless given --out', () => {
    expect(reproduceArguments('prune-ofa', ['--', '--scale', 'mini'])).toEqual(['reproduce', '--only', 'prune-ofa', '--out', RESULTS_DIR, '--scale', 'mini']);
    expect(reproduceArguments('ofa', ['--out', 'x'])).toEqual(['reproduce', '--only', 'ofa', '--out', 'x']);
    expect(RESULTS_DIR.endsWith(join('benchmarks', 'results'))).toBe(true);
  });

  it('re-export the runners of @pofa/cli', () => {
    expect(pruneOfaRun).toBe(reproducePruneOfa);
    expect(ofaRun).toBe(reproduceOfa);
    expect(SCALES.tiny.tasks).toEqual(['spam']);
  });

  it('run the benchmark and answer a mistake with one message and exit 2', async () => {
    const io = testIo(dir);
    expect(await runReproduce('ofa', ['--', '--scale', 'smoke', '--out', 'results'], io)).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'results', 'ofa-smoke.json'), 'utf8')).rows).toHaveLength(4);
    const bad = testIo(dir);
    expect(await runReproduce('ofa', ['--scale', 'full', '--out', 'results'], bad)).toBe(2);
    expect(bad.err()).toMatch(/^pofa: --scale full needs --teacher DIR/);
  });
});
