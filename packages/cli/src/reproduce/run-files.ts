import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tf, writeFileAtomic } from '@pofa/core';
import { initCliBackend } from '../pipeline/backend';
import type { RunSizes } from './data';
import { identityHash } from './stage-identity';

/** A line logger; reproduce runs say what they do through one. */
export type Say = (text: string) => void;

/**
 * The tfjs backend in use: the one already set by the caller (the `pofa` command initialises
 * it), else the CLI's choice ({@link initCliBackend}: pofa-native where it loads).
 *
 * @example
 * ```ts
 * const backend = await ensureBackend(); // 'pofa-native'
 * ```
 */
export async function ensureBackend(): Promise<string> {
  if (tf.engine().backendName !== undefined && tf.engine().backendName !== null) return tf.getBackend();
  return initCliBackend();
}

/**
 * What every stage of a reproduce run depends on, so that a change of it empties the work folder
 * ({@link openWorkFolder}): the benchmark, the seed, the corpus (the embedded one's size, or a
 * `--corpus` file), the vocabulary size, the sequence length, the task example limits and the
 * batch size. The steps and learning rates of each stage, the tasks, the models (a `--teacher`
 * checkpoint is part of its row's stage identities) and `checkpointEvery` are not: each stage
 * checks its own settings.
 *
 * @example
 * ```ts
 * runIdentity('prune-ofa', { seed: 0 }, PRUNE_OFA_SCALES.tiny); // { benchmark: 'prune-ofa', seed: 0, corpus: { embedded: 1500 }, vocabSize: 800, ... }
 * ```
 */
export function runIdentity(
  benchmark: string,
  settings: { seed: number; corpus?: string },
  sizes: RunSizes,
): unknown {
  const { vocabSize, maxLength, batchSize, taskExamples } = sizes;
  const corpus = settings.corpus === undefined ? { embedded: sizes.corpusTexts } : { file: resolve(settings.corpus) };
  return { benchmark, seed: settings.seed, corpus, vocabSize, maxLength, batchSize, taskExamples };
}

/** The format of a work folder's `settings.json`: 2 since stages carry their own identity. */
const WORK_FOLDER_FORMAT = 2;

/**
 * Opens the work folder of a run (the models of each stage, kept so that a stopped run
 * continues). `identity` is what every stage of the run depends on ({@link runIdentity}: the seed,
 * the corpus, vocabulary size, sequence length, task example limits, batch size); each stage checks its own
 * settings itself (`onceIn`, `openStageFolder`), so a change of one stage's steps reruns that
 * stage and those after it only. When the run-wide identity differs from the one the folder was
 * made with, the folder is emptied first (and `say` is told). A folder written before stages had
 * identities (a `settings.json` without `format: 2`) is emptied once as well, since its stages
 * cannot tell which settings made them.
 *
 * @example
 * ```ts
 * const work = await openWorkFolder('pofa-reproduce/work/prune-ofa-mini', runIdentity('prune-ofa', { seed: 0 }, PRUNE_OFA_SCALES.mini));
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
        : `${dir} was made by an earlier pofa, whose stages do not record their settings: emptied once`);
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

/**
 * A logger that prefixes lines with the elapsed seconds; without `log`, silent.
 *
 * @example
 * ```ts
 * const say = timedLogger((line) => process.stderr.write(`${line}\n`));
 * say('teacher pre-training done'); // "[0.0 s] teacher pre-training done"
 * ```
 */
export function timedLogger(log: ((line: string) => void) | undefined): Say {
  const started = performance.now();
  return (text) => {
    if (typeof log === 'function') log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${text}`);
  };
}
