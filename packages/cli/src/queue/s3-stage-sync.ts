import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@pofa/core';
import { IDENTITY_FILE } from '../run-folder';
import type { S3Store } from './s3-store';
import { StoreError } from './store-error';

/**
 * A stage folder between a worker's local cache and a bucket. In the bucket a stage is the objects
 * under `<work>/<stage>/`, the same paths as in a local work folder. A finished stage is its files
 * plus `done.json`, which is written last and removed from nowhere, so a stage whose upload was cut
 * short never looks finished. An unfinished stage may have a snapshot: the files of its folder at
 * one moment (its identity, its last Trainer checkpoint, its kept best weights, its log), listed
 * with their SHA-256 in `.pofa-snapshot.json`, written after them, so that a stage whose worker
 * died resumes on another from its last uploaded checkpoint.
 */

const DONE = 'done.json';
/** The list of a stage's snapshot files, by path, with their SHA-256. */
export const SNAPSHOT_FILE = '.pofa-snapshot.json';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const isMissingFile = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** The files under a local stage folder, by `/`-separated path, sorted; temporaries (names starting with `.`, partial downloads) left out. */
export async function stageFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissingFile(error)) return [];
      throw error;
    });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.') || entry.name.includes('.download-')) continue;
      if (entry.isDirectory()) await walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) files.push(`${prefix}${entry.name}`);
    }
  };
  await walk(dir, '');
  return files;
}

/** The `files` of a `done.json` (path → SHA-256), or undefined for a record without them. */
function recordedFiles(text: string): Record<string, string> | undefined {
  try {
    const files = (JSON.parse(text) as { files?: unknown }).files;
    return files !== null && typeof files === 'object' && !Array.isArray(files) ? (files as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether every file `files` lists is in `dir` with its SHA-256. */
async function filesMatch(dir: string, files: Record<string, string>): Promise<boolean> {
  for (const [path, hash] of Object.entries(files)) {
    const bytes = await readFile(join(dir, path)).catch(() => undefined);
    if (bytes === undefined || sha256(bytes) !== hash) return false;
  }
  return true;
}

/**
 * Brings the finished stage `remote` (a path in the bucket) into the local folder `dir`, when the
 * bucket has its `done.json`: its output files (checked against the SHA-256 its `done.json`
 * records; a mismatch is a {@link StoreError} naming the file), its identity, then `done.json`.
 * A local copy with the same `done.json` and files is kept as it is. Returns false (and leaves
 * `dir` alone) when the stage has not finished in the bucket.
 *
 * @example
 * ```ts
 * if (await pullFinishedStage(store, 'prune-ofa-tiny/bert-base/pretrained', '/tmp/cache/prune-ofa-tiny/bert-base/pretrained')) console.log('here');
 * ```
 */
export async function pullFinishedStage(store: S3Store, remote: string, dir: string): Promise<boolean> {
  const done = await store.readText(`${remote}/${DONE}`);
  if (done === undefined) return false;
  const files = recordedFiles(done);
  const local = await readFile(join(dir, DONE), 'utf8').catch(() => undefined);
  if (local === done && files !== undefined && (await filesMatch(dir, files))) return true;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // A record of an earlier pofa lists no files: every object of the stage but its snapshot and checkpoints.
  const paths = files === undefined
    ? (await store.list(`${remote}/`)).map((object) => object.path.slice(remote.length + 1)).filter((path) => path !== DONE && path !== SNAPSHOT_FILE && !path.startsWith('checkpoints/'))
    : [...Object.keys(files), IDENTITY_FILE];
  for (const path of paths) {
    await store.download(`${remote}/${path}`, join(dir, path)).catch((error: unknown) => {
      if (path === IDENTITY_FILE) return; // only bookkeeping: onceIn reads done.json
      throw error;
    });
    const expected = files?.[path];
    if (expected !== undefined && sha256(await readFile(join(dir, path))) !== expected) {
      throw new StoreError(`${remote}/${path} in ${store.display} is not the file its stage finished with`, {
        expected: `SHA-256 ${expected.slice(0, 16)}… (recorded in ${remote}/${DONE})`,
        received: 'other bytes',
        hint: `Delete ${remote}/ from the bucket to make the stage again`,
      });
    }
  }
  await writeFileAtomic(join(dir, DONE), done);
  return true;
}

/**
 * Brings the snapshot of the unfinished stage `remote` into `dir`, replacing what is there, so the
 * stage resumes from the checkpoint a dead worker uploaded. A listed file that is missing or
 * changed since (an upload cut short) takes its folder with it (a checkpoint is used whole or not
 * at all; the Trainer then resumes from the one before, or starts over). Returns the snapshot's
 * list (path → SHA-256), or undefined (and leaves `dir` alone) when the bucket holds none.
 *
 * @example
 * ```ts
 * await pullSnapshot(store, 'prune-ofa-tiny/bert-base/spam/dense', '/tmp/cache/prune-ofa-tiny/bert-base/spam/dense');
 * ```
 */
export async function pullSnapshot(store: S3Store, remote: string, dir: string): Promise<Record<string, string> | undefined> {
  const text = await store.readText(`${remote}/${SNAPSHOT_FILE}`);
  if (text === undefined) return undefined;
  let files: Record<string, string>;
  try {
    files = (JSON.parse(text) as { files: Record<string, string> }).files;
    if (files === null || typeof files !== 'object') return undefined;
  } catch {
    return undefined;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const broken = new Set<string>();
  for (const [path, hash] of Object.entries(files)) {
    const bytes = await store.download(`${remote}/${path}`, join(dir, path)).then(() => readFile(join(dir, path)), () => undefined);
    if (bytes === undefined || sha256(bytes) !== hash) broken.add(path.includes('/') ? dirname(path) : path);
  }
  for (const path of broken) await rm(join(dir, path), { recursive: true, force: true });
  return files;
}

/**
 * Uploads a snapshot of the unfinished stage in `dir` to `remote`: the files that changed since
 * `previous` (what the last snapshot listed), then the list, then the objects of the last
 * snapshot that this one no longer lists (an older checkpoint). A file that disappears while it is
 * read (the Trainer replaced its checkpoint) leaves this snapshot out; returns the list that is in
 * the bucket after the call.
 *
 * @example
 * ```ts
 * let listed = {};
 * listed = await pushSnapshot(store, 'prune-ofa-tiny/bert-base/spam/dense', dir, listed);
 * ```
 */
export async function pushSnapshot(store: S3Store, remote: string, dir: string, previous: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const path of await stageFiles(dir)) {
    if (path === DONE) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, path));
    } catch (error) {
      if (isMissingFile(error)) return { ...previous };
      throw error;
    }
    files[path] = sha256(bytes);
    if (previous[path] !== files[path]) await store.write(`${remote}/${path}`, bytes);
  }
  await store.write(`${remote}/${SNAPSHOT_FILE}`, `${JSON.stringify({ files }, null, 2)}\n`);
  const stale = Object.keys(previous).filter((path) => files[path] === undefined);
  if (stale.length > 0) await store.remove(stale.map((path) => `${remote}/${path}`));
  return files;
}

/**
 * Uploads the finished stage in `dir` (its `done.json` present) to `remote`: every file but
 * `done.json` (those `known` lists with the same SHA-256 are in the bucket already), then
 * `done.json`, then removes the objects of the stage that are not in the folder (the snapshot and
 * its checkpoints).
 *
 * @example
 * ```ts
 * await pushFinishedStage(store, 'prune-ofa-tiny/bert-base/spam/dense', dir);
 * ```
 */
export async function pushFinishedStage(store: S3Store, remote: string, dir: string, known: Readonly<Record<string, string>> = {}): Promise<void> {
  const done = await readFile(join(dir, DONE));
  const paths = (await stageFiles(dir)).filter((path) => path !== DONE);
  for (const path of paths) {
    const bytes = await readFile(join(dir, path));
    if (known[path] !== sha256(bytes)) await store.write(`${remote}/${path}`, bytes);
  }
  await store.write(`${remote}/${DONE}`, done);
  const keep = new Set([...paths, DONE]);
  const stale = (await store.list(`${remote}/`)).map((object) => object.path.slice(remote.length + 1)).filter((path) => !keep.has(path));
  if (stale.length > 0) await store.remove(stale.map((path) => `${remote}/${path}`));
}
