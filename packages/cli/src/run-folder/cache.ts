import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@pofa/core';
import { identityHash } from './identity';

const COMPLETE_FILE = 'complete.json';

/**
 * The cache directory: `--cache DIR`, else `$POFA_CACHE`, else `~/.cache/pofa`.
 *
 * @example
 * ```ts
 * resolveCacheDir(undefined, { POFA_CACHE: '/tmp/pofa' }, '/work'); // '/tmp/pofa'
 * ```
 */
export function resolveCacheDir(option: string | undefined, env: Record<string, string | undefined>, cwd: string): string {
  if (option !== undefined && option !== '') return resolve(cwd, option);
  if (env.POFA_CACHE !== undefined && env.POFA_CACHE !== '') return resolve(cwd, env.POFA_CACHE);
  return join(homedir(), '.cache', 'pofa');
}

/**
 * The cache key of an artifact: its kind plus a hash of every setting that determines it
 * (key order does not matter; any changed value gives another key).
 *
 * @example
 * ```ts
 * cacheKey('vocab', { vocabSize: 2000, texts: 3000 }); // 'vocab-3f0c...' (16 hex digits)
 * ```
 */
export function cacheKey(kind: string, settings: unknown): string {
  return `${kind}-${identityHash(settings)}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** What {@link cachedArtifact} returns: the artifact's folder and whether it came from the cache. */
export interface CachedArtifact<T> {
  dir: string;
  value: T;
  reused: boolean;
}

/**
 * Returns the artifact `key` from the cache, or makes it: `create(dir)` writes its files into a
 * fresh temporary folder, which is renamed into place only once complete (with a
 * `complete.json` marker), so an interrupted or concurrent run never leaves a half-written
 * artifact to be reused. `load(dir)` reads it back.
 *
 * @example
 * ```ts
 * const { value, reused } = await cachedArtifact(cacheDir, cacheKey('vocab', settings), {
 *   create: async (dir) => saveVocab(join(dir, 'vocab.txt'), trainWordPieceVocab(texts, { vocabSize })),
 *   load: (dir) => loadVocab(join(dir, 'vocab.txt')),
 * });
 * ```
 */
export async function cachedArtifact<T>(
  cacheDir: string,
  key: string,
  steps: { create(dir: string): Promise<void>; load(dir: string): Promise<T>; settings?: unknown },
): Promise<CachedArtifact<T>> {
  const dir = join(cacheDir, key);
  if (await exists(join(dir, COMPLETE_FILE))) return { dir, value: await steps.load(dir), reused: true };
  const temporary = join(cacheDir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(temporary, { recursive: true });
  try {
    await steps.create(temporary);
    await writeFileAtomic(join(temporary, COMPLETE_FILE), `${JSON.stringify({ key, settings: steps.settings ?? null, created: new Date().toISOString() }, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(temporary, dir);
    } catch (error) {
      // Another run finished the same artifact first: use theirs.
      if (!(await exists(join(dir, COMPLETE_FILE)))) throw error;
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  return { dir, value: await steps.load(dir), reused: false };
}

/**
 * The settings an artifact was cached with (its `complete.json`), or undefined.
 *
 * @example
 * ```ts
 * const info = await readCacheInfo('/home/me/.cache/pofa/teacher-0123abcd');
 * ```
 */
export async function readCacheInfo(dir: string): Promise<{ key: string; settings: unknown } | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, COMPLETE_FILE), 'utf8')) as { key: string; settings: unknown };
  } catch {
    return undefined;
  }
}
