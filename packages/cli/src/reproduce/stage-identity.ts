import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@pofa/core';
import type { Say } from './run-files';

/** A stage's output as the stages after it see it: its folder, and the identity hash of what made it. */
export interface StageOutput {
  dir: string;
  identity: string;
}

/** JSON with object keys sorted, so that two equal identities written in another key order hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash of an identity (any JSON value: what determines a stage's output, or a whole run's):
 * 16 hex digits of the SHA-256 of its JSON with keys sorted, so key order does not matter and
 * `undefined` fields count as absent.
 *
 * @example
 * ```ts
 * identityHash({ stage: 'sparse-pretrain', steps: 8 }) === identityHash({ steps: 8, stage: 'sparse-pretrain' }); // true
 * ```
 */
export function identityHash(identity: unknown): string {
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
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
