import type { Say, StageRecord } from '../run-folder';
import { parseS3Url } from './s3-location';
import { bucketStore } from './s3-stage-runner';
import type { S3Store } from './s3-store';

/** The format of a bucket work folder's `settings.json` (the layout of its stage folders, as in a local work folder). */
const BUCKET_FOLDER_FORMAT = 1;

/** A run's work folder in an S3 bucket, as the driver of a grid sees it. */
export interface GridBucket {
  store: S3Store;
  /** The store's canonical URL, which every job carries. */
  url: string;
  folder: string;
  /** `<url>/<folder>`: names the work folder in the stages' ids and in messages. */
  work: string;
  /** The `done.json` of a finished stage (by its folder in the work folder), or undefined. */
  readRecord(dir: string): Promise<StageRecord<Record<string, unknown>> | undefined>;
}

/**
 * Opens the work folder `folder` of a run in the bucket of `url`, as `openWorkFolder` opens a
 * local one: the bucket is checked first (a `StoreError` says what is wrong); its `settings.json`
 * names the run-wide settings (`run`, the hash of `identity`), and when another run's are there,
 * every object of the folder is deleted first and `say` is told. The driver writes nothing else:
 * the workers upload each stage, and the table is made from the stages' `done.json` in the bucket.
 *
 * @example
 * ```ts
 * const bucket = await openGridBucket('s3://pofa-runs/grids', 'prune-ofa-tiny', { run, identity }, console.error);
 * const record = await bucket.readRecord('bert-base/spam/dense'); // { metric: 'f1', value: 0.97, ... } once finished
 * ```
 */
export async function openGridBucket(url: string, folder: string, settings: { run: string; identity: unknown }, say: Say): Promise<GridBucket> {
  const location = parseS3Url(url);
  const store = await bucketStore(location.url);
  const text = await store.readText(`${folder}/settings.json`);
  let saved: { format?: unknown; hash?: unknown } | undefined;
  try {
    saved = text === undefined ? undefined : (JSON.parse(text) as { format?: unknown; hash?: unknown });
  } catch {
    saved = undefined;
  }
  if (saved?.format !== BUCKET_FOLDER_FORMAT || saved.hash !== settings.run) {
    const objects = await store.list(`${folder}/`);
    if (objects.length > 0) {
      say(`${store.display}/${folder} holds stages of other run-wide settings (seed, corpus, vocabulary, sequence length, task examples or batch size): emptied`);
      await store.remove(objects.map((object) => object.path));
    }
    await store.write(`${folder}/settings.json`, `${JSON.stringify({ format: BUCKET_FOLDER_FORMAT, hash: settings.run, identity: settings.identity }, null, 2)}\n`);
  }
  return {
    store, url: location.url, folder, work: `${location.url}#${folder}`,
    async readRecord(dir) {
      const done = await store.readText(`${folder}/${dir}/done.json`);
      if (done === undefined) return undefined;
      try {
        return JSON.parse(done) as StageRecord<Record<string, unknown>>;
      } catch {
        return undefined;
      }
    },
  };
}
