import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, tf, writeFileAtomic } from '@pofa/core';
import { identityHash } from './identity';

/** A line logger; runs say what they do through one. */
export type Say = (text: string) => void;

/** A stage's output as the stages after it see it: its folder, and the identity hash of what made it. */
export interface StageOutput {
  dir: string;
  identity: string;
}

/** The file of a stage folder that holds the identity the folder's contents were made with. */
export const IDENTITY_FILE = 'identity.json';

/**
 * Opens the folder of one stage for `identity` and returns its hash. A folder made for another
 * identity — or holding anything without a saved identity — is emptied first, checkpoints and
 * `done.json` included, and `say` is told; then the identity is saved in `identity.json`. So a
 * stage resumes its checkpoints only when they were made with its current settings. The folder
 * must hold this stage only (no other stage's folder inside it).
 *
 * @example
 * ```ts
 * const identity = await openStageFolder('work/supernet', { stage: 'supernet', steps: 200, finetuned: teacher.identity }, say);
 * ```
 */
export async function openStageFolder(dir: string, identity: unknown, say: Say = () => undefined): Promise<string> {
  const hash = identityHash(identity);
  let saved: string | undefined;
  try {
    saved = (JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')) as { hash?: string }).hash;
  } catch {
    saved = undefined;
  }
  if (saved === hash) return hash;
  const contents = await readdir(dir).catch(() => [] as string[]);
  if (contents.length > 0) {
    say(`${dir} was made with other settings of this stage: emptied, the stage runs again`);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, IDENTITY_FILE), `${JSON.stringify({ hash, identity }, null, 2)}\n`);
  return hash;
}

/**
 * What a finished stage recorded in its `done.json`, plus the backend it ran on, the seconds it
 * took and the hash of its identity (for the identities of the stages that read its output).
 */
export type StageRecord<R> = R & { backend?: string; seconds?: number; identity: string };

/** Files of a stage folder that are not its output: its bookkeeping and its Trainer's. */
const BOOKKEEPING = new Set([IDENTITY_FILE, 'done.json', 'log.jsonl', 'checkpoints']);

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The SHA-256 of every output file under a stage folder, by path relative to it (sorted). */
async function outputFileHashes(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (prefix === '' && BOOKKEEPING.has(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile()) files[`${prefix}${entry.name}`] = await sha256(path);
    }
  };
  await walk(dir, '');
  return files;
}

/** Refuses a finished stage whose recorded output files are missing or changed (records of an earlier pofa have none: nothing to check). */
async function checkOutputFiles(dir: string, recorded: unknown): Promise<void> {
  if (recorded === null || typeof recorded !== 'object' || Array.isArray(recorded)) return;
  for (const [file, expected] of Object.entries(recorded as Record<string, unknown>)) {
    const actual = await sha256(join(dir, file)).catch(() => 'missing');
    if (actual === expected) continue;
    throw new ConfigError(`${join(dir, file)} changed after its stage finished`, {
      expected: `the file the stage wrote (SHA-256 ${String(expected).slice(0, 16)}…, recorded in ${join(dir, 'done.json')})`,
      received: actual === 'missing' ? 'no such file' : `SHA-256 ${actual.slice(0, 16)}…`,
      hint: `Restore the file, or delete ${dir} to make the stage again`,
    });
  }
}

/**
 * Runs `work(dir)` once per folder and `identity`: a folder whose `done.json` was written for the
 * same identity is finished, and its record is returned without running again, so a stopped run
 * continues where it stopped (and each finished cell of a table survives an interruption).
 * `identity` is any JSON value describing what determines the stage's output: its kind, its own
 * sizes, steps and learning rates, and the `identity` of each stage record whose output it reads
 * (so a change reruns this stage and, through their identities, every stage after it). A folder
 * made for another identity — finished, or interrupted with its checkpoints — is emptied first
 * and `say` is told ({@link openStageFolder}). The record gets the tfjs backend the stage ran on,
 * its seconds and its identity hash; the stage's Trainer checkpoints are deleted once it is done.
 * The returned record says whether it was `reused` (not written to `done.json`). `done.json` also
 * holds the SHA-256 of every file the stage wrote (`files`); a finished stage whose files changed
 * since is refused with a {@link ConfigError} naming the file, never reused or silently replaced.
 *
 * @example
 * ```ts
 * const dense = await onceIn('work/bert-base/pretrained', async (dir) => ({ finalLoss: 1.2 }), { stage: 'pretrain', steps: 50 });
 * await onceIn('work/bert-base/sparse-90', async (dir) => ({ finalLoss: 2.5 }), { stage: 'sparse', sparsity: 0.9, dense: dense.identity });
 * ```
 */
export async function onceIn<R extends object>(dir: string, work: (dir: string) => Promise<R>, identity: unknown, say: Say = () => undefined): Promise<StageRecord<R> & { reused: boolean }> {
  const done = join(dir, 'done.json');
  const hash = identityHash(identity);
  const finished = await access(done).then(() => true, () => false);
  if (finished) {
    let record: StageRecord<R> | undefined;
    try {
      record = JSON.parse(await readFile(done, 'utf8')) as StageRecord<R>;
    } catch {
      // An unreadable record (written atomically, so only by hand): the stage runs again.
    }
    if (record !== null && typeof record === 'object' && record.identity === hash) {
      await checkOutputFiles(dir, (record as { files?: unknown }).files);
      return { ...record, reused: true };
    }
    // A record of other settings must not outlive the run that replaces it, even one stopped midway.
    await rm(done, { force: true });
  }
  await openStageFolder(dir, identity, say);
  const started = performance.now();
  const result = await work(dir);
  const record: StageRecord<R> = { ...result, backend: tf.getBackend(), seconds: (performance.now() - started) / 1000, identity: hash };
  await rm(join(dir, 'checkpoints'), { recursive: true, force: true });
  (record as { files?: Record<string, string> }).files = await outputFileHashes(dir);
  await writeFileAtomic(done, `${JSON.stringify(record, null, 2)}\n`);
  return { ...record, reused: false };
}

/** The format of a work folder's `settings.json`: 2 since stages carry their own identity, 3 since each keeps its model in `<stage>/model`. */
const WORK_FOLDER_FORMAT = 3;

/**
 * Opens the work folder of a run (the models of each stage, kept so that a stopped run
 * continues). `identity` is what every stage of the run depends on (`runIdentity` of reproduce: the seed,
 * the corpus, vocabulary size, sequence length, task example limits, batch size); each stage checks its own
 * settings itself (`onceIn`, `openStageFolder`), so a change of one stage's steps reruns that
 * stage and those after it only. When the run-wide identity differs from the one the folder was
 * made with, the folder is emptied first (and `say` is told). A folder written before stages had
 * identities (a `settings.json` without `format: 2`) is emptied once as well, since its stages
 * cannot tell which settings made them.
 *
 * @example
 * ```ts
 * const work = await openWorkFolder('pofa-reproduce/work/prune-ofa-mini', runIdentity('prune-ofa', { seed: 0 }, SCALES.mini));
 * ```
 */
export async function openWorkFolder(dir: string, identity: unknown, say: Say = () => undefined): Promise<string> {
  const hash = identityHash(identity);
  let saved: { format?: unknown; hash?: unknown } | undefined;
  try {
    saved = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as { format?: unknown; hash?: unknown };
  } catch {
    saved = undefined;
  }
  if (saved?.format !== WORK_FOLDER_FORMAT || saved.hash !== hash) {
    if (saved !== undefined) {
      say(saved.format === WORK_FOLDER_FORMAT
        ? `${dir} holds stages of other run-wide settings (seed, corpus, vocabulary, sequence length, task examples or batch size): emptied`
        : `${dir} was made by an earlier pofa, whose stage folders are laid out otherwise: emptied once`);
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, 'settings.json'), `${JSON.stringify({ format: WORK_FOLDER_FORMAT, hash, identity }, null, 2)}\n`);
  }
  return dir;
}

/**
 * Writes the result files of a run atomically into `out`; returns their paths.
 *
 * @example
 * ```ts
 * const files = await writeResultFiles('results', { 'ofa-tiny.json': json, 'ofa-tiny.md': markdown });
 * ```
 */
export async function writeResultFiles(out: string, contents: Record<string, string>): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  for (const [name, text] of Object.entries(contents)) {
    const path = join(out, name);
    await writeFileAtomic(path, text);
    files.push(path);
  }
  return files;
}
