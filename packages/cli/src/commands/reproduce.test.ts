import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../cli/command';
import { parseCommandLine } from '../cli/parse-command-line';
import { EXIT_CODES, runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { COMMANDS } from './index';
import { reproduceCommand, reproducePlan } from './reproduce';

async function cli(cwd: string, argv: string[], io: CliIo & { out(): string; err(): string } = createTestIo(cwd)): Promise<{ code: number; out: string; err: string }> {
  const code = await runCli(argv, io, COMMANDS);
  return { code, out: io.out(), err: io.err() };
}

let cwd: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  cwd = await mkdtemp(join(tmpdir(), 'pofa-reproduce-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('pofa reproduce: the command line', () => {
  it('reads a repeated --teacher and resolves every path against the working folder', () => {
    const parsed = parseCommandLine(reproduceCommand, ['--scale', 'full', '--teacher', 'a', '--glue', 'glue_data', '--teacher', 'b']);
    expect(parsed.lists).toEqual({ teacher: ['a', 'b'] });
    expect(parsed.options).toEqual({ scale: 'full', teacher: 'b', glue: 'glue_data' });
    const plan = reproducePlan({ scale: 'full', teacher: 'b', glue: 'glue_data' }, { teacher: ['a', 'b'] }, '/w');
    expect(plan).toMatchObject({ scale: 'full', benchmarks: ['prune-ofa'], out: '/w/pofa-reproduce', full: { teacher: ['/w/a', '/w/b'], glue: '/w/glue_data' } });
    expect(plan.notes).toEqual(['ofa has no full scale: only prune-ofa runs']);
    expect(reproducePlan({}, {}, '/w')).toMatchObject({ scale: 'tiny', benchmarks: ['prune-ofa', 'ofa'], seed: 0, full: {} });
    const queued = reproducePlan({ queue: 'redis://h:6379', store: 'file:///shared/work' }, {}, '/w');
    expect(queued).toMatchObject({ benchmarks: ['prune-ofa'], queue: 'redis://h:6379', work: '/shared/work' });
    expect(queued.notes).toEqual(['the ofa table does not run on a queue: only prune-ofa runs (run --only ofa without --queue for it)']);
    const bucket = reproducePlan({ queue: 'redis://h:6379', store: 's3://pofa-runs/grids?endpoint=http://127.0.0.1:9000' }, {}, '/w');
    expect(bucket).toMatchObject({ queue: 'redis://h:6379', store: 's3://pofa-runs/grids?endpoint=http%3A%2F%2F127.0.0.1%3A9000' });
    expect(bucket.work).toBeUndefined();
  });

  it('answers each mistake with one message and exit 2 before any work', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--scale', 'huge'], /Invalid value for --scale: expected one of tiny, mini, full, smoke, received "huge"/],
      [['--only', 'paper'], /Invalid value for --only: expected one of prune-ofa, ofa/],
      [['--scale', 'tiny', '--teacher', 'bert', '--glue', 'g'], /--teacher, --glue only apply to --scale full/],
      [['--scale', 'full', '--glue', 'g'], /--scale full needs --teacher DIR/],
      [['--scale', 'full', '--teacher', 'bert'], /--scale full needs --glue DIR and\/or --squad FILE/],
      [['--scale', 'full', '--teacher', 'bert', '--glue', 'g', '--only', 'ofa'], /The ofa benchmark has no full scale/],
      [['--seed', '1.5'], /Invalid value for --seed: must be an integer \(got 1.5\)/],
      [['--scael', 'tiny'], /Unknown option --scael.*Did you mean --scale\?/],
      [['--queue', 'localhost:6379'], /Invalid --queue: expected redis:\/\/HOST\[:PORT\]\[\/DB\]/],
      [['--queue', 'redis://h:6379', '--only', 'ofa'], /The ofa benchmark does not run on a queue: expected --only prune-ofa with --queue/],
      [['--store', 's3://bucket/runs'], /--store s3:\/\/… needs --queue: expected pofa reproduce --queue redis:\/\/HOST:PORT --store s3:\/\/BUCKET\/PREFIX/],
      [['--store', 's3://Bad_Bucket/runs', '--queue', 'redis://h:6379'], /Invalid --store: not a bucket name: expected s3:\/\/BUCKET\[\/PREFIX\]/],
      [['--store', 'ftp://host/runs'], /Invalid --store: expected file:\/\/\/ABSOLUTE\/PATH .* or s3:\/\/BUCKET\/PREFIX/],
      [['--store', 'file:///shared/work', '--work', 'w'], /--store and --work name the same folder/],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await cli(cwd, ['reproduce', ...argv, '--out', 'never']);
      expect(code, argv.join(' ')).toBe(EXIT_CODES.usage);
      expect(err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(err, argv.join(' ')).toMatch(message);
    }
    expect(existsSync(join(cwd, 'never'))).toBe(false);
  });

  it('answers a bad --teacher folder with exit 1, an --out that is a file with exit 3', async () => {
    const teacher = await cli(cwd, ['reproduce', '--scale', 'full', '--teacher', 'missing', '--glue', 'g', '--out', 'full']);
    expect(teacher.code).toBe(EXIT_CODES.failure);
    expect(teacher.err).toMatch(/^pofa: Cannot use --teacher .*missing: expected a Hugging Face directory .*, received no such directory/m);
    await writeFile(join(cwd, 'file'), 'x');
    const out = await cli(cwd, ['reproduce', '--scale', 'smoke', '--out', 'file']);
    expect(out.code).toBe(EXIT_CODES.io);
    expect(out.err).toMatch(/Cannot write --out file: it is a file, and a folder goes there/);
  });

  it('lists reproduce and bench in the program help', async () => {
    const { out } = await cli(cwd, ['--help']);
    expect(out).toMatch(/reproduce +Reproduce the paper's tables/);
    expect(out).toMatch(/bench +Inference latency/);
    const help = await cli(cwd, ['reproduce', '--help']);
    expect(help.out).toContain('--teacher DIR');
    expect(help.out).toContain('(repeatable)');
  });
});

describe('pofa reproduce --scale smoke', () => {
  let reference: { code: number; out: string; err: string };
  beforeAll(async () => {
    reference = await cli(cwd, ['reproduce', '--scale', 'smoke', '--out', 'whole']);
  });

  it('runs both benchmarks and prints where every file went', async () => {
    expect(reference.code).toBe(0);
    const files = ['prune-ofa-smoke.json', 'prune-ofa-smoke.md', 'prune-ofa-smoke-sotu-party.svg', 'ofa-smoke.json', 'ofa-smoke.md'].map((name) => join(cwd, 'whole', name));
    for (const file of files) {
      expect(reference.out).toContain(`  ${file}\n`);
      expect((await stat(file)).size).toBeGreaterThan(0);
    }
    expect(reference.out).toMatch(/^prune-ofa \(smoke\): 15 rows in \d+ s$/m);
    expect(reference.out).toMatch(/^ofa \(smoke\): 4 rows in \d+ s$/m);
    expect(reference.err).toMatch(/^prune-ofa \[[\d.]+ s\] bert-base: dense pre-training$/m);
  });

  it('continues a run stopped mid-stage: finished cells kept, the stopped stage resumed from its checkpoint, the same table', async () => {
    const work = join(cwd, 'stopped', 'work', 'prune-ofa-smoke');
    const checkpoints = join(work, 'bert-large', 'pretrained', 'checkpoints');
    const controller = new AbortController();
    // Ctrl-C once the stopped stage has written its step-3 checkpoint (of 6 steps).
    const watch = setInterval(() => {
      if (existsSync(join(checkpoints, 'checkpoint-3'))) controller.abort();
    }, 2);
    const io = { ...createTestIo(cwd), signal: controller.signal };
    let stopped: { code: number; err: string };
    try {
      stopped = await cli(cwd, ['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'stopped'], io);
    } finally {
      clearInterval(watch);
    }
    expect(stopped.code).toBe(EXIT_CODES.interrupted);
    // The watcher can fire while checkpoint-3 is still being written, before the 4th step starts ("at step 3").
    expect(stopped.err).toMatch(/pofa: Interrupted during dense pre-training at step [3-6]\. Finished stages are saved in .*prune-ofa-smoke: run the same command \(same --out\) to continue from there/);
    expect(await readdir(checkpoints)).toContain('checkpoint-3');
    expect(existsSync(join(work, 'bert-large', 'pretrained', 'done.json'))).toBe(false);
    const cell = join(work, 'bert-base', 'sotu-party', 'sparse-90-qat', 'done.json');
    const finished = await readFile(cell, 'utf8');

    const continued = await cli(cwd, ['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'stopped']);
    expect(continued.code).toBe(0);
    expect(await readFile(cell, 'utf8')).toBe(finished);
    const log = (await readFile(join(work, 'bert-large', 'pretrained', 'log.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(log.filter((record) => record.event === 'resume')).toEqual([expect.objectContaining({ step: 3 })]);
    expect(existsSync(checkpoints)).toBe(false);
    // Resuming is exact: the table equals the one of the run that was never stopped.
    const rows = async (dir: string) => JSON.parse(await readFile(join(cwd, dir, 'prune-ofa-smoke.json'), 'utf8')).rows;
    expect(await rows('stopped')).toEqual(await rows('whole'));
  });
});
