// The S3 store and the stage folders in it, against a real local S3-compatible server (s3rver, in this process).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onceIn } from '../run-folder';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './__fixtures__/s3-server';
import { parseS3Url } from './s3-location';
import { openS3Store, type S3Store } from './s3-store';
import { pullFinishedStage, pullSnapshot, pushFinishedStage, pushSnapshot, SNAPSHOT_FILE, stageFiles } from './s3-stage-sync';
import { StoreError } from './store-error';

let server: TestS3Server;
let dir: string;
let store: S3Store;
const env = { ...S3RVER_CREDENTIALS };

const open = (url: string, options: { env?: Record<string, string>; checkMs?: number } = {}): Promise<S3Store> => openS3Store(parseS3Url(url), { env, ...options });

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  server = await startS3Server(['pofa-test']);
  dir = await mkdtemp(join(tmpdir(), 'pofa-s3-store-'));
  store = await open(`s3://pofa-test/runs?endpoint=${server.endpoint}`);
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('openS3Store', () => {
  it('reads, writes, lists and deletes objects under its prefix, at the endpoint of AWS_ENDPOINT_URL too', async () => {
    await store.check();
    await store.write('a/one.txt', 'one');
    await store.write('a/b/two.bin', new Uint8Array([0, 1, 2]));
    expect(await store.readText('a/one.txt')).toBe('one');
    expect(await store.readText('a/missing.txt')).toBeUndefined();
    expect((await store.list('a/')).map((object) => [object.path, object.size]).sort()).toEqual([['a/b/two.bin', 3], ['a/one.txt', 3]]);
    await store.download('a/b/two.bin', join(dir, 'two.bin'));
    expect([...readFileSync(join(dir, 'two.bin'))]).toEqual([0, 1, 2]);
    expect(server.writes).toContain('pofa-test/runs/a/one.txt');
    const fromEnv = await openS3Store(parseS3Url('s3://pofa-test/runs'), { env: { ...env, AWS_ENDPOINT_URL: server.endpoint } });
    expect(await fromEnv.readText('a/one.txt')).toBe('one');
    await store.remove(['a/one.txt', 'a/b/two.bin']);
    expect(await store.list('a/')).toEqual([]);
  });

  it('says what is wrong (no bucket, refused credentials, nothing listening, no answer) with a StoreError, in bounded time', async () => {
    const noBucket = await failure(async () => (await open(`s3://pofa-nope/runs?endpoint=${server.endpoint}`)).check());
    expect(StoreError.isInstance(noBucket)).toBe(true);
    expect(noBucket.message).toBe(`Cannot read the bucket in s3://pofa-nope/runs at ${server.endpoint}: no bucket pofa-nope. Create the bucket (aws s3 mb, mc mb), or check --store`);
    const badKey = await failure(async () => (await open(`s3://pofa-test?endpoint=${server.endpoint}`, { env: { AWS_ACCESS_KEY_ID: 'nobody', AWS_SECRET_ACCESS_KEY: 'x' } })).readText('a'));
    expect(badKey.message).toMatch(/^Cannot read a in s3:\/\/pofa-test at http:\/\/127\.0\.0\.1:\d+: access denied \(InvalidAccessKeyId\)\. Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    // A port nothing listens on: refused at once, on every try.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const refused = await failure(async () => (await open(`s3://pofa-test?endpoint=http://127.0.0.1:${closed}`)).check());
    expect(refused.message).toBe(`Cannot read the bucket in s3://pofa-test at http://127.0.0.1:${closed}: connection refused. Start the S3 server there, or check ?endpoint= / AWS_ENDPOINT_URL`);
    // A server that takes the connection and never answers: the check gives up after its budget.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const quiet = await failure(async () => (await open(`s3://pofa-test?endpoint=http://127.0.0.1:${port}`, { checkMs: 500 })).check());
      expect(quiet.message).toMatch(/^Cannot read the bucket in s3:\/\/pofa-test at http:\/\/127\.0\.0\.1:\d+: no answer in time\. Check that the endpoint answers/);
    } finally {
      silent.close();
    }
  });
});

describe('stage folders in the bucket', () => {
  /** A finished stage made by onceIn in `at`: a model file and a metric. */
  const finishStage = (at: string, weights: string) =>
    onceIn(at, async (stageDir) => {
      await mkdir(join(stageDir, 'model'), { recursive: true });
      await writeFile(join(stageDir, 'model', 'weights.bin'), weights);
      return { value: 0.75 };
    }, { stage: 'test', weights });

  it('uploads a finished stage with done.json last and downloads it checked; onceIn then reuses it', async () => {
    const local = join(dir, 'worker-a', 'grid', 'm', 'dense');
    await finishStage(local, 'weights of the dense model');
    expect(await pullFinishedStage(store, 'grid/m/dense', join(dir, 'unused'))).toBe(false);
    await pushFinishedStage(store, 'grid/m/dense', local);
    const written = server.writes.filter((key) => key.startsWith('pofa-test/runs/grid/m/dense/'));
    expect(written.at(-1)).toBe('pofa-test/runs/grid/m/dense/done.json');
    expect(written.slice(0, -1).sort()).toEqual(['pofa-test/runs/grid/m/dense/identity.json', 'pofa-test/runs/grid/m/dense/model/weights.bin']);
    const elsewhere = join(dir, 'worker-b', 'grid', 'm', 'dense');
    expect(await pullFinishedStage(store, 'grid/m/dense', elsewhere)).toBe(true);
    expect(await stageFiles(elsewhere)).toEqual(['done.json', 'identity.json', 'model/weights.bin']);
    expect(await readFile(join(elsewhere, 'done.json'), 'utf8')).toBe(await readFile(join(local, 'done.json'), 'utf8'));
    const again = await onceIn(elsewhere, async () => {
      throw new Error('a finished stage must not run again');
    }, { stage: 'test', weights: 'weights of the dense model' });
    expect(again).toMatchObject({ reused: true, value: 0.75 });
    // Other bytes under a finished stage's name are refused by name, never used.
    await store.write('grid/m/dense/model/weights.bin', 'something else');
    const changed = await failure(() => pullFinishedStage(store, 'grid/m/dense', join(dir, 'worker-c', 'grid', 'm', 'dense')));
    expect(StoreError.isInstance(changed)).toBe(true);
    expect(changed.message).toMatch(/^grid\/m\/dense\/model\/weights\.bin in s3:\/\/pofa-test\/runs at .* is not the file its stage finished with: expected SHA-256 [0-9a-f]{16}… \(recorded in grid\/m\/dense\/done\.json\), received other bytes/);
  });

  it('uploads the checkpoints of an unfinished stage as snapshots, brings the last whole one back, and clears them when the stage finishes', async () => {
    const local = join(dir, 'worker-a', 'grid', 'm', 'sparse');
    const remote = 'grid/m/sparse';
    await mkdir(join(local, 'checkpoints', 'checkpoint-3'), { recursive: true });
    await writeFile(join(local, 'identity.json'), '{"hash":"h"}\n');
    await writeFile(join(local, 'log.jsonl'), '{"step":3}\n');
    await writeFile(join(local, 'checkpoints', 'checkpoint-3', 'model.safetensors'), 'step 3 weights');
    await writeFile(join(local, 'checkpoints', '.checkpoint-6.tmp-1'), 'a checkpoint being written');
    let listed = await pushSnapshot(store, remote, local, {});
    expect(Object.keys(listed)).toEqual(['checkpoints/checkpoint-3/model.safetensors', 'identity.json', 'log.jsonl']);
    expect(server.writes.at(-1)).toBe(`pofa-test/runs/${remote}/${SNAPSHOT_FILE}`);
    // The Trainer replaces checkpoint-3 by checkpoint-6: the next snapshot uploads what changed and drops checkpoint-3.
    await rm(join(local, 'checkpoints'), { recursive: true });
    await mkdir(join(local, 'checkpoints', 'checkpoint-6'), { recursive: true });
    await writeFile(join(local, 'checkpoints', 'checkpoint-6', 'model.safetensors'), 'step 6 weights');
    await writeFile(join(local, 'checkpoints', 'checkpoint-6', 'trainer.json'), '{"step":6}');
    await writeFile(join(local, 'log.jsonl'), '{"step":3}\n{"step":6}\n');
    const before = server.writes.length;
    listed = await pushSnapshot(store, remote, local, listed);
    expect(server.writes.slice(before).sort()).toEqual([`${remote}/${SNAPSHOT_FILE}`, `${remote}/checkpoints/checkpoint-6/model.safetensors`, `${remote}/checkpoints/checkpoint-6/trainer.json`, `${remote}/log.jsonl`].map((key) => `pofa-test/runs/${key}`));
    expect((await store.list(`${remote}/`)).map((object) => object.path).sort()).toEqual([SNAPSHOT_FILE, 'checkpoints/checkpoint-6/model.safetensors', 'checkpoints/checkpoint-6/trainer.json', 'identity.json', 'log.jsonl'].map((path) => `${remote}/${path}`));
    // Another worker gets the snapshot; a stage with none gives nothing.
    const other = join(dir, 'worker-b', 'grid', 'm', 'sparse');
    expect(await pullSnapshot(store, remote, other)).toEqual(listed);
    expect(readFileSync(join(other, 'checkpoints', 'checkpoint-6', 'model.safetensors'), 'utf8')).toBe('step 6 weights');
    expect(await pullSnapshot(store, 'grid/m/none', join(dir, 'worker-b', 'none'))).toBeUndefined();
    // A checkpoint file that changed since the list was written (an upload cut short) takes its checkpoint with it.
    await store.write(`${remote}/checkpoints/checkpoint-6/trainer.json`, '{"step":7}');
    const third = join(dir, 'worker-c', 'grid', 'm', 'sparse');
    await pullSnapshot(store, remote, third);
    expect(await stageFiles(third)).toEqual(['identity.json', 'log.jsonl']);
    // Finished: the stage's objects are its files and done.json, nothing of the snapshots.
    await rm(join(local, 'checkpoints'), { recursive: true });
    await writeFile(join(local, 'done.json'), '{"identity":"h","files":{}}\n');
    await pushFinishedStage(store, remote, local, listed);
    expect((await store.list(`${remote}/`)).map((object) => object.path).sort()).toEqual(['done.json', 'identity.json', 'log.jsonl'].map((path) => `${remote}/${path}`));
    expect(existsSync(join(local, 'done.json'))).toBe(true);
  });
});
