// What every benchmark run shares: the backend, a work folder keyed by settings, and atomic result files.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, tf, writeFileAtomic } from '@pofa/core';

/**
 * The tfjs backend in use: the one already set by the caller, else `initBackend()`'s choice
 * (`POFA_BACKEND`, else tensorflow → wasm → cpu).
 *
 * @example
 * ```js
 * const backend = await ensureBackend(); // 'wasm'
 * ```
 */
export async function ensureBackend() {
  if (tf.engine().backendName !== undefined && tf.engine().backendName !== null) return tf.getBackend();
  return initBackend();
}

/**
 * Opens the work folder of a run (models of each stage, for resuming a long run): when the
 * settings differ from those it was made with, it is emptied first, so a stage never reuses the
 * output of other settings.
 *
 * @example
 * ```js
 * const work = await openWorkFolder('results/work/prune-ofa-mini', { scale: 'mini', seed: 0 });
 * ```
 */
export async function openWorkFolder(dir, settings) {
  const text = JSON.stringify(settings);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  let saved;
  try {
    saved = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')).hash;
  } catch {
    saved = undefined;
  }
  if (saved !== hash) {
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
 * ```js
 * const files = await writeResultFiles('results', { 'ofa-tiny.json': json, 'ofa-tiny.md': markdown });
 * ```
 */
export async function writeResultFiles(out, contents) {
  await mkdir(out, { recursive: true });
  const files = [];
  for (const [name, text] of Object.entries(contents)) {
    const path = join(out, name);
    await writeFileAtomic(path, text);
    files.push(path);
  }
  return files;
}

/**
 * A logger that prefixes lines with the elapsed seconds; `log` false or absent → silent.
 *
 * @example
 * ```js
 * const say = timedLogger((line) => process.stderr.write(`${line}\n`));
 * say('teacher pre-training done');
 * ```
 */
export function timedLogger(log) {
  const started = performance.now();
  return (text) => {
    if (typeof log === 'function') log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${text}`);
  };
}
