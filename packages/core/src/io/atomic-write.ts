import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FileSystemError } from '../errors/file-system-error';

/**
 * Makes `dir` and the folders above it that are missing, one at a time. Unlike
 * `mkdir(dir, { recursive: true })`, which on Node 20 loops forever at full CPU where a parent
 * exists but refuses children with ENOENT (`/proc/self/x`), each step runs once: any refusal is a
 * {@link FileSystemError} naming the folder.
 *
 * @example
 * ```ts
 * await makeFolders('out/runs/a');
 * ```
 */
export async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw FileSystemError.from(error, 'create the folder', dir);
    });
    if (info !== undefined) {
      if (!info.isDirectory()) throw FileSystemError.from(Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }), 'create the folder', dir);
      break;
    }
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw FileSystemError.from(error, 'create the folder', folder);
    });
  }
}

/**
 * Writes `data` to `path` so that readers see either the old file or the whole new one:
 * it writes a temporary file beside the target, then renames it over the target; on any failure
 * the temporary file is removed. `data` may be a list of chunks, written one after the other (a
 * large file need not be one buffer). Missing folders above `path` are made; a refusal of the
 * system (no space, permission denied, a read-only disk, a folder at `path`) is a
 * {@link FileSystemError} naming `path`.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/config.json', JSON.stringify(config));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<Uint8Array>): Promise<void> {
  await makeFolders(dirname(path));
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw FileSystemError.from(error, 'write', path);
  }
}
