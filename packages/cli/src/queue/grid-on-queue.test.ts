// The Prune OFA grid through BullMQ, end to end: a real redis-server (Debian's redis-server
// package; .ci/run installs it before the tests), `pofa worker` processes and `pofa reproduce
// --queue`, all spawned from the built CLI (dist/bin.js), against the in-process run's table.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, currentStage, freePort, inProcessTable, pofa, redisServer, rows, startRedis, until, type Row, type Spawned } from './__fixtures__/processes';

const available = redisServer !== '';
if (!available) console.warn('grid-on-queue.test.ts: the queue tests are skipped: no redis-server on PATH (apt-get install redis-server; .ci/run installs it)');

/** The complete Trainer checkpoints of a stage folder (`checkpoint-<step>`), by step. */
function checkpointSteps(stageDir: string): number[] {
  try {
    return readdirSync(join(stageDir, 'checkpoints')).map((name) => /^checkpoint-(\d+)$/.exec(name)?.[1]).filter((step): step is string => step !== undefined).map(Number);
  } catch {
    return [];
  }
}

/**
 * Signals `victim` as soon as the stage it runs has written a checkpoint and is not finished; the
 * stage and the checkpoint steps seen then. Polls every 2 ms (a smoke stage lasts tens of ms).
 */
async function signalMidStage(victim: Spawned, work: string, signal: NodeJS.Signals): Promise<{ stage: string; steps: number[] } | undefined> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (victim.child.exitCode !== null) {
        clearInterval(timer);
        resolve(undefined);
        return;
      }
      const stage = currentStage(victim);
      if (stage === undefined) return;
      const steps = checkpointSteps(join(work, stage));
      if (steps.length === 0 || existsSync(join(work, stage, 'done.json'))) return;
      victim.child.kill(signal);
      clearInterval(timer);
      resolve({ stage, steps });
    }, 2);
  });
}

/** The `resume` records of a stage's training log (a line cut short by SIGKILL is skipped). */
function resumes(work: string, stage: string): Array<{ step: number }> {
  const records = readFileSync(join(work, stage, 'log.jsonl'), 'utf8').split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as { event?: string; step: number }];
    } catch {
      return [];
    }
  });
  return records.filter((record) => record.event === 'resume');
}

describe('pofa reproduce --queue without a reachable Redis', () => {
  it('says which Redis it cannot reach and how to fix it, before any work', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const result = spawnSync(process.execPath, [bin, 'reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', join(tmpdir(), 'pofa-never'), '--queue', 'redis://127.0.0.1:1'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toContain('pofa: Cannot reach Redis at redis://127.0.0.1:1: connection refused. Start redis-server there, or check --queue');
    expect(result.status).toBe(1);
    const worker = spawnSync(process.execPath, [bin, 'worker', '--queue', 'localhost:6379'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(worker.stderr).toMatch(/^pofa: Invalid --queue: expected redis:\/\/HOST\[:PORT\]\[\/DB\] .*received "localhost:6379"/);
    expect(worker.status).toBe(2);
  });
});

describe.skipIf(!available)('the Prune OFA grid on a BullMQ queue (redis-server, two pofa workers)', () => {
  let dir: string;
  let port: number;
  let url: string;
  let redis: Spawned;
  const workers: Spawned[] = [];
  const worker = (): Spawned => {
    const spawned = pofa(['worker', '--queue', url, '--stalled-seconds', '3'], dir);
    workers.push(spawned);
    return spawned;
  };
  let reference: Row[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pofa-queue-'));
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port, dir);
    // The table of the in-process run, the reference every queued run must equal.
    reference = await inProcessTable(dir, 'in-process');
    expect(reference).toHaveLength(15);
  });

  afterAll(async () => {
    for (const spawned of workers) spawned.child.kill('SIGKILL');
    redis?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('gives exactly the in-process tiny table with two workers, one of them killed with SIGKILL mid-stage (its stage resumes on the other from its checkpoint)', async () => {
    // The tiny grid (the CI scale of pofa reproduce: 10 cells), in process first for the reference.
    const referenceTiny = await inProcessTable(dir, 'in-process-tiny', 'tiny');
    expect(referenceTiny).toHaveLength(10);
    const [first, second] = [worker(), worker()];
    await until(() => first.out().includes('1 stage at a time') && second.out().includes('1 stage at a time'), 'the workers to start');
    const started = performance.now();
    const driver = pofa(['reproduce', '--scale', 'tiny', '--only', 'prune-ofa', '--out', 'queued', '--queue', url], dir);
    const work = join(dir, 'queued', 'work', 'prune-ofa-tiny');
    // Kill a worker once the stage it runs has a checkpoint; if that stage ended in the same instant, try again with a fresh worker.
    let killed: { stage: string; steps: number[] } | undefined;
    let victim = first;
    for (let attempt = 0; attempt < 4 && killed === undefined; attempt += 1) {
      const hit = await signalMidStage(victim, work, 'SIGKILL');
      if (hit === undefined) break;
      await victim.exited;
      if (existsSync(join(work, hit.stage, 'done.json'))) victim = worker();
      else killed = { ...hit };
    }
    expect(killed, 'a worker was killed mid-stage').toBeDefined();
    const { stage, steps } = killed as { stage: string; steps: number[] };
    expect(await driver.exited, driver.err()).toEqual({ code: 0, signal: null });
    const seconds = (performance.now() - started) / 1000;
    // The same numbers as the in-process run, to the last bit.
    expect(await rows(join(dir, 'queued'), 'tiny')).toEqual(referenceTiny);
    // The killed stage went back on the queue after its lock lapsed, and resumed from a checkpoint it had written.
    expect(driver.err()).toContain(`${stage}: its worker stopped answering`);
    const survivors = workers.filter((spawned) => spawned.child.exitCode === null && spawned.child.signalCode === null);
    expect(survivors.some((spawned) => spawned.out().includes(`start ${stage} (try`))).toBe(true);
    const resumed = resumes(work, stage);
    expect(resumed).toHaveLength(1);
    expect(steps).toContain(resumed[0].step);
    expect(existsSync(join(work, stage, 'done.json'))).toBe(true);
    // Every cell was said as it ended.
    expect(driver.err().match(/cell \S+: done \(\d+\/10\)/g)).toHaveLength(10);
    console.log(`queued tiny grid with a SIGKILL: ${seconds.toFixed(1)} s (${stage} resumed from step ${resumed[0].step})`);
  });

  it('reports a stage that fails three times with its log, and writes the table of the other cells', async () => {
    if (!workers.some((spawned) => spawned.child.exitCode === null && spawned.child.signalCode === null)) worker();
    // The finished smoke grid of the in-process run, then a file where one stage's folder goes: every
    // try of that stage fails (EEXIST), and the QAT cell reading it fails with it.
    await cp(join(dir, 'in-process'), join(dir, 'queued-smoke'), { recursive: true });
    const work = join(dir, 'queued-smoke', 'work', 'prune-ofa-smoke');
    await rm(join(work, 'distilbert', 'sotu-party', 'sparse-90'), { recursive: true, force: true });
    await writeFile(join(work, 'distilbert', 'sotu-party', 'sparse-90'), 'not a folder');
    const driver = pofa(['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'queued-smoke', '--queue', url], dir);
    const { code } = await driver.exited;
    const err = driver.err();
    expect(code, err).toBe(1);
    expect(err).toMatch(/stage distilbert\/sotu-party\/sparse-90 failed 3 times \(last on [^)]+\): EEXIST: file already exists, mkdir '.*sparse-90'/);
    expect(err.match(/ \| failed on \S+: Error: EEXIST/g)).toHaveLength(3);
    expect(err).toMatch(/cell distilbert\/sotu-party\/90\+qat: FAILED/);
    expect(err).toMatch(/pofa: 2 of 15 cells failed on the queue: distilbert\/sotu-party\/sparse-90 failed \(distilbert\/sotu-party\/sparse-90: EEXIST[^)]*\)\. The table in .*queued-smoke holds the other cells/);
    const failed = (row: Row) => row.model === 'distilbert' && (row.variant === '90' || row.variant === '90+qat');
    expect(await rows(join(dir, 'queued-smoke'))).toEqual(reference.filter((row) => !failed(row)));
    await rm(join(work, 'distilbert', 'sotu-party', 'sparse-90'), { force: true });
  });

  it('goes on through a SIGTERM to a worker mid-stage (it puts the stage back and exits 0) and a Redis restart (the workers reconnect)', async () => {
    while (workers.filter((spawned) => spawned.child.exitCode === null && spawned.child.signalCode === null).length < 2) worker();
    const [one, other] = workers.filter((spawned) => spawned.child.exitCode === null && spawned.child.signalCode === null);
    const driver = pofa(['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'restarted', '--queue', url], dir);
    const work = join(dir, 'restarted', 'work', 'prune-ofa-smoke');
    const stopped = await signalMidStage(one, work, 'SIGTERM');
    expect(stopped, 'a worker was stopped mid-stage').toBeDefined();
    expect(await one.exited).toEqual({ code: 0, signal: null });
    expect(one.out()).toMatch(/\] (stopped \S+: back on the queue, to resume from its last checkpoint|done \S+ in)/);
    expect(one.out()).toMatch(/\] worker stopped\n$/);
    // Redis goes away and comes back on the same port with its data; the worker and the driver wait for it.
    redis.child.kill('SIGTERM');
    await redis.exited;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    redis = await startRedis(port, dir);
    worker();
    expect(await driver.exited, driver.err()).toEqual({ code: 0, signal: null });
    expect(await rows(join(dir, 'restarted'))).toEqual(reference);
    expect(other.out()).toMatch(/lost Redis at redis:\/\/127\.0\.0\.1:\d+: reconnecting\n(.*\n)*.*Redis at redis:\/\/127\.0\.0\.1:\d+ is back/);
    expect(driver.err()).toMatch(/lost Redis at redis:\/\/127\.0\.0\.1:\d+.*: waiting for it\n(.*\n)*.*Redis at redis:\/\/127\.0\.0\.1:\d+ is back/);
  });
});
