// pofa compress --sweep at the test scale: each cell equals a pofa compress run of its settings,
// and the stages the cells share (vocabulary, teacher pre-training, teacher fine-tuning) run once.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { COMMANDS } from '../commands/index';
import { readSweep, sweepCells } from './sweep-spec';

type Row = Record<string, unknown> & { stage: string; cell?: Record<string, unknown> };

/** A row without what a clock measures (latency and speedup), for comparisons to the bit. */
const measured = ({ latencyMs: _latency, speedup: _speedup, ...row }: Row): Row => row;

describe('pofa compress --sweep', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pofa-sweep-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs each cell in its own folder with the rows of a separate pofa compress run, the shared teacher made once', async () => {
    const io = createTestIo(dir);
    const code = await runCli(['compress', '--scale', 'test', '--seed', '2', '--sweep', 'sparsity=0.7,0.9', '--out', 'sweep', '--cache', 'cache-sweep', '--json', 'sweep.json'], io, COMMANDS);
    expect(code, io.err()).toBe(0);
    const rows = JSON.parse(await readFile(join(dir, 'sweep.json'), 'utf8')) as Row[];
    expect(rows.map((row) => [row.cell?.sparsity, row.stage])).toEqual([
      [0.7, 'baseline'], [0.7, 'dense'], [0.7, 'sparse'], [0.7, 'sparse-int8'],
      [0.9, 'baseline'], [0.9, 'dense'], [0.9, 'sparse'], [0.9, 'sparse-int8'],
    ]);
    for (const cell of ['sparsity=0.7', 'sparsity=0.9']) expect(existsSync(join(dir, 'sweep', cell, 'bundles', 'sparse-int8.pofa')), cell).toBe(true);
    expect(io.out()).toMatch(/== sparsity=0\.7 ==\n[^]*== sparsity=0\.9 ==\n/);
    // The second cell found the teacher (pre-trained and fine-tuned) and the vocabulary in the cache.
    const times = io.out().split('\n').filter((line) => line.startsWith('Time per stage: '));
    expect(times).toHaveLength(2);
    for (const stage of ['WordPiece vocabulary', 'teacher pre-training \\(masked LM\\)', 'teacher fine-tuning']) {
      expect(times[0], stage).toMatch(new RegExp(`${stage} [\\d.]+ s(?! \\(reused\\))`));
      expect(times[1], stage).toMatch(new RegExp(`${stage} [\\d.]+ s \\(reused\\)`));
    }
    // Two separate runs with each cell's settings (their own cache) give the same rows, to the bit.
    for (const [sparsity, name] of [['0.7', 'single-70'], ['0.9', 'single-90']]) {
      const single = createTestIo(dir);
      expect(await runCli(['compress', '--scale', 'test', '--seed', '2', '--sparsity', sparsity, '--out', name, '--cache', 'cache-single', '--json', `${name}.json`], single, COMMANDS), single.err()).toBe(0);
      const expected = (JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as Row[]).map(measured);
      const got = rows.filter((row) => row.cell?.sparsity === Number(sparsity)).map(({ cell: _cell, ...row }) => measured(row as Row));
      expect(got).toEqual(expected);
    }
  });

  it('answers a bad sweep with a message that lists the keys, before any work', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['--sweep', 'learning-rate=1,2'], EXIT_CODES.usage, /^pofa: Unknown sweep key "learning-rate" in --sweep: expected one of sparsity, pattern, seed, per-channel, int8/],
      [['--sweep', 'sparsity=0.5,1.5'], EXIT_CODES.usage, /^pofa: Invalid value of sweep key sparsity in --sweep: expected a number in \[0, 1\), received "1\.5"/],
      [['--sweep', 'pattern=4x1,8x8'], EXIT_CODES.usage, /expected unstructured \| 4x1 .*received "8x8"/],
      [['--sweep', 'sparsity=0.8', '--sparsity', '0.9'], EXIT_CODES.usage, /^pofa: --sweep sparsity=… and --sparsity both set sparsity/],
      [['--sweep', 'sparsity'], EXIT_CODES.usage, /^pofa: Invalid --sweep: expected KEY=V1,V2,… \(keys: sparsity, pattern, seed, per-channel, int8\), or one YAML\/JSON file, received "sparsity"/],
      [['--queue', 'redis://127.0.0.1:6379'], EXIT_CODES.usage, /^pofa: --queue runs the cells of a --sweep\. Add --sweep KEY=V1,V2/],
      [['--sweep', 'missing.yaml'], EXIT_CODES.failure, /^pofa: Cannot read the sweep file .*missing\.yaml: expected a YAML\/JSON file.*received no such file/],
    ];
    await writeFile(join(dir, 'grid.yaml'), 'sparsity: [0.8, 0.9]\nteacher-steps: [1, 2]\n');
    cases.push([['--sweep', 'grid.yaml'], EXIT_CODES.failure, /^pofa: Unknown sweep key "teacher-steps" in .*grid\.yaml: expected one of sparsity, pattern/]);
    for (const [argv, exit, message] of cases) {
      const io = createTestIo(dir);
      expect(await runCli(['compress', '--scale', 'test', '--out', 'never', ...argv], io, COMMANDS), argv.join(' ')).toBe(exit);
      expect(io.err(), argv.join(' ')).toMatch(message);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('makes the cells of a sweep file as the cartesian product, the first key slowest', async () => {
    await writeFile(join(dir, 'grid.json'), JSON.stringify({ pattern: ['unstructured', '4x1'], seed: [1, 2], 'per-channel': [true] }));
    const cells = sweepCells(await readSweep(['grid.json'], dir));
    expect(cells.map((cell) => cell.name)).toEqual([
      'pattern=unstructured,seed=1,per-channel=true', 'pattern=unstructured,seed=2,per-channel=true',
      'pattern=4x1,seed=1,per-channel=true', 'pattern=4x1,seed=2,per-channel=true',
    ]);
    expect(cells[3].options).toEqual({ pattern: '4x1', seed: 2, perChannel: true });
    expect(() => sweepCells([{ key: 'pattern', values: ['2:4'] }, { key: 'sparsity', values: [0.9] }])).toThrow(/pattern=2:4 with sparsity=0\.9/);
  });
});
