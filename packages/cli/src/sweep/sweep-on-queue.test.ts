// pofa compress --sweep --queue: the cells of a sweep on two pofa workers through a real
// redis-server, against the in-process sweep's rows.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, pofa, redisServer, startRedis, until, type Spawned } from '../queue/__fixtures__/processes';
import { QUEUE_PREFIX, STAGE_QUEUE } from '../queue/grid-flows';

const available = redisServer !== '';
if (!available) console.warn('sweep-on-queue.test.ts: skipped: no redis-server on PATH (apt-get install redis-server; .ci/run installs it)');

type Row = Record<string, unknown> & { stage: string };
const measured = ({ latencyMs: _latency, speedup: _speedup, ...row }: Row): Row => row;

describe.skipIf(!available)('pofa compress --sweep --queue (redis-server, two pofa workers)', () => {
  let dir: string;
  let port: number;
  let redis: Spawned;
  const workers: Spawned[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pofa-sweep-queue-'));
    port = await freePort();
    redis = await startRedis(port, dir);
  });
  afterAll(async () => {
    for (const spawned of workers) spawned.child.kill('SIGKILL');
    redis?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the rows of the in-process sweep, the teacher made once by its own stage and reused by every cell', async () => {
    const sweep = ['compress', '--scale', 'test', '--seed', '2', '--sweep', 'sparsity=0.7,0.9'];
    const inProcess = pofa([...sweep, '--out', 'in-process', '--cache', 'cache-in-process', '--json', 'in-process.json'], dir);
    expect(await inProcess.exited, inProcess.err()).toEqual({ code: 0, signal: null });
    const url = `redis://127.0.0.1:${port}`;
    for (let index = 0; index < 2; index += 1) workers.push(pofa(['worker', '--queue', url], dir));
    await until(() => workers.every((spawned) => spawned.out().includes('1 stage at a time')), 'the workers to start');
    const driver = pofa([...sweep, '--out', 'queued', '--queue', url, '--json', 'queued.json'], dir);
    expect(await driver.exited, driver.err()).toEqual({ code: 0, signal: null });
    const read = async (name: string): Promise<Row[]> => (JSON.parse(await readFile(join(dir, name), 'utf8')) as Row[]).map(measured);
    expect(await read('queued.json')).toEqual(await read('in-process.json'));
    expect(driver.out()).toMatch(/== sparsity=0\.7 ==\n[^]*== sparsity=0\.9 ==\n/);
    expect(driver.err().match(/cell sparsity=0\.\d: done/g)).toHaveLength(2);
    // The teacher stage made the vocabulary and the teacher; both cells found them in the shared cache (queued/cache).
    const queue = new Queue(STAGE_QUEUE, { connection: { host: '127.0.0.1', port }, prefix: QUEUE_PREFIX });
    try {
      const jobs = await queue.getJobs(['completed']);
      expect(jobs.map((job) => job.name).sort()).toEqual(['sparsity=0.7', 'sparsity=0.9', 'teacher (seed 2)']);
      for (const job of jobs) {
        const { logs } = await queue.getJobLogs(job.id as string);
        for (const stage of ['WordPiece vocabulary', 'teacher pre-training (masked LM)', 'teacher fine-tuning']) {
          const line = logs.find((entry) => entry.startsWith(`${stage}: `));
          expect(line, `${job.name}: ${stage}`).toBeDefined();
          expect(line?.endsWith('(reused)'), `${job.name}: ${line}`).toBe(job.name !== 'teacher (seed 2)');
        }
      }
    } finally {
      await queue.close();
    }
  });
});
