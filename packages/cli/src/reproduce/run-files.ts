import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tf, writeFileAtomic } from '@pofa/core';
import { initCliBackend } from '../pipeline/backend';

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
 * Opens the work folder of a run (the models of each stage, kept so that a stopped run
 * continues): when the settings differ from those it was made with, it is emptied first (and
 * `say` is told), so a stage never reuses the output of other settings.
 *
 * @example
 * ```ts
 * const work = await openWorkFolder('pofa-reproduce/work/prune-ofa-mini', { scale: 'mini', seed: 0 });
 * ```
 */
export async function openWorkFolder(dir: string, settings: unknown, say: Say = () => undefined): Promise<string> {
  const text = JSON.stringify(settings);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  let saved: string | undefined;
  try {
    saved = (JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as { hash?: string }).hash;
  } catch {
    saved = undefined;
  }
  if (saved !== hash) {
    if (saved !== undefined) say(`${dir} holds stages of other settings: emptied`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, 'settings.json'), `${JSON.stringify({ hash, settings }, null, 2)}\n`);
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
