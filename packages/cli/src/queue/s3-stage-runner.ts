import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@pofa/core';
import { openWorkFolder, type Say } from '../run-folder';
import { openS3Store, type S3Store } from './s3-store';
import { parseS3Url } from './s3-location';
import { pullFinishedStage, pullSnapshot, pushFinishedStage, pushSnapshot } from './s3-stage-sync';

/** What {@link runStageInBucket} takes. */
export interface BucketStage {
  store: S3Store;
  /** The run's work folder in the bucket (`prune-ofa-tiny`), and its name in the local cache. */
  folder: string;
  /** The run hash the driver wrote in the bucket's `settings.json`. */
  run: string;
  /** The run-wide identity whose hash is `run` (the local copy of the work folder is opened with it). */
  identity: unknown;
  /** This worker's local cache: the run is copied into `<cache>/<folder>`. */
  cache: string;
  /** The stage's folder in the work folder, and those of the stages it reads. */
  stage: string;
  inputs: readonly string[];
  say: Say;
  /** How often the stage folder is looked at for a new checkpoint to upload. */
  snapshotMs?: number;
}

/** One task at a time per key (a local folder) in this process: two stages of a `--concurrency 2` worker may need the same input. */
const locks = new Map<string, Promise<unknown>>();
async function locked<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = locks.get(key) ?? Promise.resolve();
  const mine = before.then(work, work);
  const settled = mine.catch(() => undefined);
  locks.set(key, settled);
  try {
    return await mine;
  } finally {
    if (locks.get(key) === settled) locks.delete(key);
  }
}

/** The stores of this process, one per `s3://` URL (each checked once). */
const stores = new Map<string, Promise<S3Store>>();

/**
 * The store of an `s3://` URL, opened and checked once per process ({@link openS3Store}).
 *
 * @example
 * ```ts
 * const store = await bucketStore('s3://pofa-runs/grids?endpoint=http://127.0.0.1:9000');
 * ```
 */
export function bucketStore(url: string): Promise<S3Store> {
  let store = stores.get(url);
  if (store === undefined) {
    store = openS3Store(parseS3Url(url)).then(async (opened) => {
      await opened.check();
      return opened;
    });
    store.catch(() => stores.delete(url));
    stores.set(url, store);
  }
  return store;
}

/** What changes when the Trainer writes a checkpoint or keeps best weights: the names of those folders. */
async function checkpointSignature(dir: string): Promise<string> {
  const names = async (folder: string, pattern: RegExp): Promise<string[]> => (await readdir(folder).catch(() => [] as string[])).filter((name) => pattern.test(name)).sort();
  const checkpoints = await names(join(dir, 'checkpoints'), /^checkpoint-\d+$/);
  if (checkpoints.length === 0) return '';
  return [...checkpoints, ...(await names(dir, /^best-\d+$/))].join(',');
}

/** Uploads a snapshot of `dir` each time a new checkpoint appears in it, until stopped; returns what the bucket lists then. */
function startSnapshots(options: BucketStage, remote: string, dir: string, listed: Record<string, string>): { stop(): Promise<Record<string, string>> } {
  let signature = '';
  let running: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    const now = await checkpointSignature(dir);
    if (now === '' || now === signature) return;
    try {
      listed = await pushSnapshot(options.store, remote, dir, listed);
      signature = now;
    } catch (error) {
      options.say(`note: the checkpoint of ${options.stage} was not uploaded (${error instanceof Error ? error.message : String(error)}); trying again at the next one`);
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, options.snapshotMs ?? 100);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      return listed;
    },
  };
}

/**
 * Runs one stage of a grid whose work folder is in an S3 bucket, on this worker's local copy: the
 * bucket's `settings.json` must be the driver's run; the finished stages it reads are downloaded
 * (checked against their `done.json`); its own folder comes from the bucket too, finished (then
 * `run` finds it done and reuses it, as stage identity decides) or as the snapshot a dead worker
 * left (then it resumes from that checkpoint). While it runs, each new checkpoint is uploaded as a
 * snapshot; when it ends, its folder is uploaded with `done.json` last. A stage stopped or failed
 * uploads its last snapshot first, for the next try.
 *
 * @example
 * ```ts
 * await runStageInBucket({ store, folder: 'prune-ofa-tiny', run, identity, cache: '/tmp/pofa-worker', stage: 'bert-base/spam/dense', inputs: ['bert-base/pretrained'], say },
 *   (work) => runStageJob(job, prepared, work));
 * ```
 */
export async function runStageInBucket<R>(options: BucketStage, run: (work: string) => Promise<R>): Promise<R> {
  const { store, folder, stage } = options;
  const settings = await store.readText(`${folder}/settings.json`);
  const saved = settings === undefined ? undefined : (JSON.parse(settings) as { hash?: string }).hash;
  if (saved !== options.run) {
    throw new ConfigError(`The work folder ${store.display}/${folder} is not the one pofa reproduce opened for this run`, {
      expected: `its settings.json with run hash ${options.run}`,
      received: saved === undefined ? 'no settings.json' : `run hash ${saved}`,
      hint: 'Give pofa worker the --store of pofa reproduce (or none: each job names its store), and let one pofa reproduce at a time use that bucket folder',
    });
  }
  const work = join(options.cache, folder);
  await locked(work, () => openWorkFolder(work, options.identity, options.say));
  for (const input of options.inputs) {
    const here = await locked(join(work, input), () => pullFinishedStage(store, `${folder}/${input}`, join(work, input)));
    if (!here) {
      throw new ConfigError(`Stage ${stage} cannot read ${input} from ${store.display}/${folder}`, {
        expected: `the done.json of the finished stage ${input}`,
        received: 'no such object',
        hint: 'A stage runs once the stages it reads have finished; run the same pofa reproduce again to queue the grid anew',
      });
    }
  }
  const remote = `${folder}/${stage}`;
  const dir = join(work, stage);
  return locked(dir, async () => {
    let listed: Record<string, string> = {};
    if (!(await pullFinishedStage(store, remote, dir))) {
      listed = (await pullSnapshot(store, remote, dir)) ?? {};
      if (Object.keys(listed).length > 0) options.say(`${stage}: resuming from the snapshot in ${store.display}`);
    }
    const snapshots = startSnapshots(options, remote, dir, listed);
    let result: R;
    try {
      result = await run(work);
    } catch (error) {
      listed = await snapshots.stop();
      if ((await checkpointSignature(dir)) !== '') await pushSnapshot(store, remote, dir, listed).catch(() => undefined);
      throw error;
    }
    listed = await snapshots.stop();
    const done = await readFile(join(dir, 'done.json'), 'utf8');
    if ((await store.readText(`${remote}/done.json`)) !== done) await pushFinishedStage(store, remote, dir, listed);
    return result;
  });
}
