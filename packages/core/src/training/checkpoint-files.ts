import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files of a complete checkpoint directory.
 *
 * @example
 * ```ts
 * const weights = join('runs/a/checkpoints/checkpoint-300', CHECKPOINT_FILES.model);
 * ```
 */
export const CHECKPOINT_FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  transforms: 'transforms.safetensors',
  modifiers: 'modifiers.safetensors',
  trainer: 'trainer.json',
} as const;

const CHECKPOINT_NAME = /^checkpoint-(\d+)$/;
const TEMPORARY_NAME = /^\.checkpoint-\d+\.(tmp|old)-/;

/**
 * A checkpoint directory found on disk.
 *
 * @example
 * ```ts
 * const newest: CheckpointLocation | undefined = (await listCheckpoints('runs/a/checkpoints')).at(-1);
 * ```
 */
export interface CheckpointLocation {
  step: number;
  path: string;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether `path` is a checkpoint directory holding every file of {@link CHECKPOINT_FILES}.
 *
 * @example
 * ```ts
 * if (await isCompleteCheckpoint('runs/a/checkpoints/checkpoint-300')) console.log('resumable');
 * ```
 */
export async function isCompleteCheckpoint(path: string): Promise<boolean> {
  for (const file of Object.values(CHECKPOINT_FILES)) {
    try {
      if (!(await stat(join(path, file))).isFile()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * The complete `checkpoint-<step>/` directories under `root`, oldest first. Temporary
 * directories (a write that was cut off) and directories missing a file are left out.
 *
 * @example
 * ```ts
 * const checkpoints = await listCheckpoints('runs/a/checkpoints');
 * const newest = checkpoints.at(-1); // { step: 300, path: 'runs/a/checkpoints/checkpoint-300' }
 * ```
 */
export async function listCheckpoints(root: string): Promise<CheckpointLocation[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const found: CheckpointLocation[] = [];
  for (const name of names) {
    const match = CHECKPOINT_NAME.exec(name);
    const path = join(root, name);
    if (match !== null && (await isCompleteCheckpoint(path))) found.push({ step: Number(match[1]), path });
  }
  return found.sort((a, b) => a.step - b.step);
}

/**
 * Makes `root/checkpoint-<step>/` appear whole or not at all: `fill` writes into a
 * temporary directory beside it, which is then renamed into place (replacing an older
 * directory of the same step). Leftover temporary directories of cut-off writes are removed,
 * and only the newest `keep` checkpoints are kept.
 *
 * @example
 * ```ts
 * await writeCheckpointDirectory('runs/a/checkpoints', 300, 2, async (dir) => writeFile(join(dir, 'note.txt'), 'hi'));
 * ```
 */
export async function writeCheckpointDirectory(
  root: string,
  step: number,
  keep: number,
  fill: (directory: string) => Promise<void>,
): Promise<string> {
  await mkdir(root, { recursive: true });
  for (const name of await readdir(root)) {
    if (TEMPORARY_NAME.test(name)) await rm(join(root, name), { recursive: true, force: true });
  }
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temporary = join(root, `.checkpoint-${step}.tmp-${suffix}`);
  const final = join(root, `checkpoint-${step}`);
  await mkdir(temporary);
  try {
    await fill(temporary);
    if (await isDirectory(final)) {
      const old = join(root, `.checkpoint-${step}.old-${suffix}`);
      await rename(final, old);
      await rename(temporary, final);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temporary, final);
    }
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  const existing = await listCheckpoints(root);
  for (const old of existing.slice(0, Math.max(0, existing.length - keep))) await rm(old.path, { recursive: true, force: true });
  return final;
}
