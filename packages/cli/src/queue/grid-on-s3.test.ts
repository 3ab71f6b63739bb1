// The Prune OFA smoke grid through BullMQ with its work folder in an S3 bucket: a real redis-server,
// a real S3-compatible server (s3rver, in this process), `pofa worker` processes with no shared
// folder and `pofa reproduce --queue --store s3://…`, against the in-process run's table.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, currentStage, freePort, inProcessTable, pofa, redisServer, rows, startRedis, until, type Row, type Spawned } from './__fixtures__/processes';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './__fixtures__/s3-server';
import { parseS3Url } from './s3-location';
import { openS3Store, type S3Store } from './s3-store';
import { SNAPSHOT_FILE } from './s3-stage-sync';

const available = redisServer !== '';
if (!available) console.warn('grid-on-s3.test.ts: skipped: no redis-server on PATH (apt-get install redis-server; .ci/run installs it)');

const env = { ...S3RVER_CREDENTIALS };

describe.skipIf(!available)('the Prune OFA grid on a queue with an S3 store (redis-server, s3rver, pofa workers)', () => {
  let dir: string;
  let url: string;
  let redis: Spawned;
  let s3: TestS3Server;
  let bucket: S3Store;
  const workers: Spawned[] = [];
  const worker = (...args: string[]): Spawned => {
    const spawned = pofa(['worker', '--queue', url, '--stalled-seconds', '3', ...args], dir, env);
    workers.push(spawned);
    return spawned;
  };
  const store = (prefix: string): string => `s3://pofa-grid/${prefix}?endpoint=${s3.endpoint}`;
  /** The paths of every object under a prefix of the bucket. */
  const objects = async (prefix: string): Promise<string[]> => (await bucket.list(`${prefix}/`)).map((object) => object.path.slice(prefix.length + 1)).sort();
  let reference: Row[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pofa-queue-s3-'));
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port, dir);
    s3 = await startS3Server(['pofa-grid']);
    bucket = await openS3Store(parseS3Url(`s3://pofa-grid?endpoint=${s3.endpoint}`), { env });
    reference = await inProcessTable(dir, 'in-process');
    expect(reference).toHaveLength(15);
  });

  afterAll(async () => {
    for (const spawned of workers) spawned.child.kill('SIGKILL');
    redis?.child.kill('SIGKILL');
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives exactly the in-process table with two workers, one killed with SIGKILL right after it uploaded a checkpoint (the stage resumes from it on the other)', async () => {
    const [first, second] = [worker('--cache', 'cache-first'), worker()];
    await until(() => first.out().includes('1 stage at a time') && second.out().includes('1 stage at a time'), 'the workers to start');
    // The first snapshot a worker uploads for the stage it runs: that worker dies at once, its stage unfinished in the bucket.
    let killed: { stage: string; snapshot: Promise<string | undefined> } | undefined;
    s3.onWrite((key) => {
      const stage = /^pofa-grid\/runs\/prune-ofa-smoke\/(.+)\/\.pofa-snapshot\.json$/.exec(key)?.[1];
      if (killed !== undefined || stage === undefined) return;
      const victim = [first, second].find((spawned) => alive(spawned) && currentStage(spawned) === stage);
      if (victim === undefined || s3.writes.includes(`pofa-grid/runs/prune-ofa-smoke/${stage}/done.json`)) return;
      victim.child.kill('SIGKILL');
      killed = { stage, snapshot: bucket.readText(`runs/prune-ofa-smoke/${stage}/${SNAPSHOT_FILE}`) };
    });
    const started = performance.now();
    const driver = pofa(['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'queued', '--queue', url, '--store', store('runs')], dir, env);
    expect(await driver.exited, driver.err()).toEqual({ code: 0, signal: null });
    const seconds = (performance.now() - started) / 1000;
    // The same numbers as the in-process run, to the last bit, made from the records in the bucket (no local work folder).
    expect(await rows(join(dir, 'queued'))).toEqual(reference);
    expect(existsSync(join(dir, 'queued', 'work'))).toBe(false);
    expect(driver.out()).toContain(`Stage models (a stopped run continues from them): s3://pofa-grid/runs?endpoint=${encodeURIComponent(s3.endpoint)}`);
    expect(killed, 'a worker was killed after uploading a checkpoint').toBeDefined();
    const { stage, snapshot } = killed as { stage: string; snapshot: Promise<string | undefined> };
    const checkpointed = Object.keys((JSON.parse((await snapshot) ?? '{}') as { files?: Record<string, string> }).files ?? {})
      .map((path) => /^checkpoints\/checkpoint-(\d+)\//.exec(path)?.[1]).filter((step): step is string => step !== undefined);
    expect(new Set(checkpointed).size).toBe(1);
    expect(driver.err()).toContain(`${stage}: its worker stopped answering`);
    // The snapshot it left named one checkpoint; the other worker resumed the stage from exactly that step.
    const resumedLog = await bucket.readText(`runs/prune-ofa-smoke/${stage}/log.jsonl`);
    const resumes = (resumedLog ?? '').split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as { event?: string; step: number }];
      } catch {
        return [];
      }
    }).filter((record) => record.event === 'resume');
    expect(resumes).toHaveLength(1);
    expect(resumes[0].step).toBe(Number(checkpointed[0]));
    // Every stage is finished in the bucket (done.json last of its objects), and no snapshot or checkpoint is left.
    const stored = await objects('runs/prune-ofa-smoke');
    expect(stored.filter((path) => path.endsWith('/done.json'))).toHaveLength(24);
    expect(stored.filter((path) => path.includes('checkpoints/') || path.endsWith(SNAPSHOT_FILE))).toEqual([]);
    for (const done of stored.filter((path) => path.endsWith('/done.json'))) {
      const folder = `pofa-grid/runs/prune-ofa-smoke/${done.slice(0, -'done.json'.length)}`;
      const last = s3.writes.filter((key) => key.startsWith(folder)).at(-1);
      expect(last, done).toBe(`${folder}done.json`);
    }
    expect(existsSync(join(dir, 'cache-first', 'prune-ofa-smoke', 'settings.json'))).toBe(true);
    console.log(`queued smoke grid on S3 with a SIGKILL: ${seconds.toFixed(1)} s (${stage} resumed from step ${resumes[0].step})`);
  });

  it('runs the same grid again without computing a stage: each is found finished in the bucket', async () => {
    if (!workers.some(alive)) worker();
    const driver = pofa(['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'again', '--queue', url, '--store', store('runs')], dir, env);
    expect(await driver.exited, driver.err()).toEqual({ code: 0, signal: null });
    expect(await rows(join(dir, 'again'))).toEqual(reference);
    const finished = driver.err().match(/: finished( \(reused\))?\n/g) ?? [];
    expect(finished).toHaveLength(24);
    expect(finished.every((line) => line.includes('(reused)'))).toBe(true);
  });

  it('gives the same table with one worker running two stages at once (--concurrency 2)', async () => {
    // SIGTERM: a worker stops between stages and removes its temporary cache.
    for (const spawned of workers) spawned.child.kill('SIGTERM');
    await Promise.all(workers.map((spawned) => spawned.exited));
    const both = worker('--concurrency', '2');
    await until(() => both.out().includes('2 stages at a time'), 'the worker to start');
    const driver = pofa(['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'concurrent', '--queue', url, '--store', store('concurrent')], dir, env);
    expect(await driver.exited, driver.err()).toEqual({ code: 0, signal: null });
    expect(await rows(join(dir, 'concurrent'))).toEqual(reference);
    // Two stages did overlap: one started while the other had not ended.
    const lines = both.out().split('\n');
    let running = 0;
    let most = 0;
    for (const line of lines) {
      if (/\] start /.test(line)) most = Math.max(most, (running += 1));
      if (/\] (done|failed) /.test(line)) running -= 1;
    }
    expect(most).toBe(2);
  });

  it('refuses a bucket that does not exist before any work, on the driver and on a worker', async () => {
    const missing = `s3://pofa-missing/runs?endpoint=${s3.endpoint}`;
    const driver = pofa(['reproduce', '--scale', 'smoke', '--only', 'prune-ofa', '--out', 'never', '--queue', url, '--store', missing], dir, env);
    expect((await driver.exited).code).toBe(1);
    expect(driver.err()).toMatch(/^pofa: Cannot read the bucket in s3:\/\/pofa-missing\/runs at http:\/\/127\.0\.0\.1:\d+: no bucket pofa-missing\. Create the bucket/m);
    const lonely = pofa(['worker', '--queue', url, '--store', missing], dir, env);
    expect(await lonely.exited).toEqual({ code: 1, signal: null });
    expect(lonely.err()).toMatch(/^pofa: Cannot read the bucket in s3:\/\/pofa-missing\/runs at .*: no bucket pofa-missing/m);
  });
});
