import { randomBytes } from 'node:crypto';
import { constants, rmSync } from 'node:fs';
import { access, lstat, mkdir, readdir, realpath, rename, rm, rmdir, stat, statfs } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FileSystemError, makeFolders } from '@pofa/core';
import { OutputError } from '../errors/output-error';

/** Where a command writes: a file (`--out model.pofa`, `--json rows.json`) or a folder (`--out DIR`). */
export interface OutputTarget {
  /** The absolute path. */
  path: string;
  kind: 'file' | 'folder';
  /** How the user named it, for messages: `--out model.pofa`. */
  label: string;
  /** True when something is already there (an empty folder counts as nothing). */
  exists: boolean;
  /** Make missing folders above the target (outputs pofa places itself, inside its own run folders). */
  createParents: boolean;
}

/** Options of {@link checkOutputTarget}. */
export interface OutputTargetOptions {
  kind: 'file' | 'folder';
  /** How the user named the target (`--out x.pofa`); default the path. */
  label?: string;
  /** Replace an existing file, or write into a folder pofa did not write. */
  force?: boolean;
  /** Make missing parent folders (default false: a missing parent is an error naming it). */
  createParents?: boolean;
  /** True for a non-empty folder that pofa itself wrote (a run folder): it is accepted without `force`. */
  ownedByPofa?: (dir: string) => Promise<boolean>;
}

// statfs magic numbers of the kernel's pseudo-file systems (linux/magic.h): proc, sysfs, debugfs,
// cgroup, cgroup2, securityfs, tracefs, devpts, bpf, pstore, configfs, efivarfs.
const PSEUDO_FILE_SYSTEMS = new Set([0x9fa0, 0x62656572, 0x64626720, 0x27e0eb, 0x63677270, 0x73636673, 0x74726163, 0x1cd1, 0xcafe4a11, 0x6165676c, 0x62656570, 0xde5e81e4]);
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];
const WRITABLE_UNDER_DEV = ['/dev/shm'];

const within = (path: string, root: string): boolean => path === root || path.startsWith(`${root}/`);

function pseudoRoot(path: string): string | undefined {
  if (WRITABLE_UNDER_DEV.some((root) => within(path, root))) return undefined;
  return PSEUDO_ROOTS.find((root) => within(path, root));
}

function specialKind(info: Awaited<ReturnType<typeof stat>>): string | undefined {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return undefined;
}

const errnoError = (code: string): Error => Object.assign(new Error(code), { code });
const hasErrno = (error: unknown): boolean => typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code);

/** The target itself, or the nearest folder above it that exists. */
/** The nearest path from `path` up that exists; a folder that cannot be entered (EACCES) is an error, not "missing". */
async function nearestExisting(path: string, label: string): Promise<string> {
  for (let current = path; ; current = dirname(current)) {
    const found = await lstat(current).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
        throw FileSystemError.from(error, 'write', label);
      },
    );
    if (found || dirname(current) === current) return current;
  }
}

async function refuseSpecialPlaces(path: string, label: string): Promise<void> {
  const existing = await nearestExisting(path, label);
  const real = await realpath(existing).catch(() => existing);
  const root = pseudoRoot(path) ?? pseudoRoot(real);
  const type = root === undefined ? await statfs(existing).then((info) => info.type, () => undefined) : undefined;
  if (root !== undefined || (type !== undefined && PSEUDO_FILE_SYSTEMS.has(type))) {
    throw new OutputError(`${label} is on ${root ?? 'a kernel pseudo-file system'}, where pofa does not write`, {
      code: 'POFA_OUTPUT_SPECIAL',
      hint: 'Choose a path in an ordinary folder',
    });
  }
  const info = await stat(path).catch(() => undefined);
  const special = info === undefined ? undefined : specialKind(info);
  if (special !== undefined) {
    throw new OutputError(`${label} is ${special}, not a regular file or folder`, { code: 'POFA_OUTPUT_SPECIAL', hint: 'pofa writes regular files only: choose a path in an ordinary folder' });
  }
}

async function checkParent(path: string, label: string, createParents: boolean): Promise<void> {
  const parent = dirname(path);
  const existing = await nearestExisting(parent, label);
  const info = await stat(existing);
  if (!info.isDirectory()) {
    throw new FileSystemError(`Cannot write ${label}: ${existing} is a file, not a folder`, { code: 'POFA_NOT_A_FOLDER', hint: 'Check the path' });
  }
  if (existing !== parent && !createParents) {
    throw new FileSystemError(`Cannot write ${label}: the folder ${parent} does not exist`, {
      code: 'POFA_MISSING_FOLDER',
      hint: `Create it first (mkdir -p ${parent}), or choose another path`,
    });
  }
  await access(existing, constants.W_OK).catch((error: unknown) => {
    throw FileSystemError.from(error, 'write', label);
  });
  const free = await statfs(existing).catch(() => undefined);
  if (free !== undefined && free.blocks > 0 && free.bavail === 0) throw FileSystemError.from(errnoError('ENOSPC'), 'write', label);
}

/**
 * Checks, before any work, that a command may write `path`: not a device, FIFO or socket, not on
 * `/proc`, `/sys` or `/dev`; a file where a file goes and a folder where a folder goes; an
 * existing file only with `force`, a non-empty folder only with `force` or when pofa wrote it
 * (`ownedByPofa`); the folder above it exists (or `createParents`), is writable and has space.
 * Each refusal is an {@link OutputError} or a `FileSystemError` with its own code.
 *
 * @example
 * ```ts
 * const target = await checkOutputTarget('/abs/model.pofa', { kind: 'file', label: '--out model.pofa', force: false });
 * await writeOutputFile(target, (temporary) => writeBundle(temporary, contents));
 * ```
 */
export async function checkOutputTarget(path: string, options: OutputTargetOptions): Promise<OutputTarget> {
  const target = resolve(path);
  const label = options.label ?? path;
  const createParents = options.createParents === true;
  await refuseSpecialPlaces(target, label);
  const info = await stat(target).catch(() => undefined);
  // A symbolic link whose target is missing looks absent to stat; the rename would replace the user's link.
  const dangling = info === undefined && (await lstat(target).then((entry) => entry.isSymbolicLink(), () => false));
  if (dangling && options.force !== true) {
    throw new OutputError(`${label} is a symbolic link to a missing target`, { code: 'POFA_OUTPUT_EXISTS', hint: 'Pass --force to replace the link, or choose another path' });
  }
  let exists = info !== undefined || dangling;
  if (info?.isDirectory() === true && options.kind === 'file') {
    throw new FileSystemError(`Cannot write ${label}: it is a folder, and a file goes there`, { code: 'POFA_IS_A_FOLDER', hint: 'Name a file inside it, or another path' });
  }
  if (info?.isFile() === true && options.kind === 'folder') {
    throw new FileSystemError(`Cannot write ${label}: it is a file, and a folder goes there`, { code: 'POFA_NOT_A_FOLDER', hint: 'Choose a new or empty folder' });
  }
  if (info?.isDirectory() === true) {
    const entries = await readdir(target).catch((error: unknown) => {
      throw FileSystemError.from(error, 'read', label);
    });
    exists = entries.length > 0;
    if (exists && options.force !== true && !(await options.ownedByPofa?.(target))) {
      throw new OutputError(`${label} is a folder that is not empty, and pofa did not make it`, {
        code: 'POFA_OUTPUT_EXISTS',
        hint: 'Choose a new or empty folder, or pass --force to write into it (the files pofa writes are replaced, others kept)',
      });
    }
    await access(target, constants.W_OK).catch((error: unknown) => {
      throw FileSystemError.from(error, 'write', label);
    });
  } else if (exists && options.force !== true) {
    throw new OutputError(`${label} already exists`, { code: 'POFA_OUTPUT_EXISTS', hint: 'Pass --force to replace it, or choose another path' });
  }
  await checkParent(target, label, createParents);
  return { path: target, kind: options.kind, label, exists, createParents };
}

/** The temporary outputs being written now, for {@link removeTemporaryOutputs}. */
const liveTemporaries = new Set<string>();

const temporaryBeside = (path: string): string => {
  const temporary = join(dirname(path), `.${basename(path)}.pofa-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  liveTemporaries.add(temporary);
  return temporary;
};

/**
 * Removes, synchronously, the temporary files and folders of the outputs being written now: what
 * `pofa` calls before it exits at once on a signal, so that nothing half-written is left beside a
 * target.
 *
 * @example
 * ```ts
 * process.on('SIGTERM', () => { removeTemporaryOutputs(); process.exit(130); });
 * ```
 */
export function removeTemporaryOutputs(): void {
  for (const temporary of liveTemporaries) rmSync(temporary, { recursive: true, force: true });
  liveTemporaries.clear();
}

async function failed(error: unknown, temporary: string, label: string): Promise<never> {
  await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
  throw hasErrno(error) ? FileSystemError.from(error, 'write', label) : error;
}

/** Refuses a target that became special, or changed kind, between the check and the rename. */
async function recheck(target: OutputTarget): Promise<void> {
  const info = await lstat(target.path).catch(() => undefined);
  if (info === undefined || info.isSymbolicLink()) return;
  const special = specialKind(info);
  if (special !== undefined) throw new OutputError(`${target.label} became ${special} while pofa worked`, { code: 'POFA_OUTPUT_SPECIAL', hint: 'Choose a path in an ordinary folder' });
  if (target.kind === 'file' && info.isDirectory()) throw errnoError('EISDIR');
}

/**
 * Writes a file output whole or not at all: `produce` writes a temporary file beside the target,
 * which is then renamed over it; on any failure (a full disk, an interruption, a bug) the
 * temporary file is removed and the target is as it was. System errors become a `FileSystemError`
 * naming the target.
 *
 * @example
 * ```ts
 * await writeOutputFile(target, (temporary) => exportOnnx(model, { out: temporary }));
 * ```
 */
export async function writeOutputFile(target: OutputTarget, produce: (temporary: string) => Promise<unknown>): Promise<void> {
  if (target.createParents) await makeFolders(dirname(target.path));
  const temporary = temporaryBeside(target.path);
  try {
    await produce(temporary);
    await recheck(target);
    await rename(temporary, target.path);
  } catch (error) {
    await failed(error, temporary, target.label);
  } finally {
    liveTemporaries.delete(temporary);
  }
}

/**
 * Writes a folder output: `produce` fills a temporary folder beside the target; a new target is
 * then the renamed folder (all or nothing), an existing one (allowed by `force`) receives each
 * file by rename (each whole; files of the folder that `produce` did not write are kept, except
 * those named in `replaces`, which are removed). The temporary folder is removed on failure.
 *
 * @example
 * ```ts
 * await writeOutputFolder(target, (dir) => savePretrained(model, dir));
 * ```
 */
export async function writeOutputFolder(target: OutputTarget, produce: (temporary: string) => Promise<unknown>, replaces: readonly string[] = []): Promise<void> {
  if (target.createParents) await makeFolders(dirname(target.path));
  const temporary = temporaryBeside(target.path);
  try {
    await mkdir(temporary);
    await produce(temporary);
    await recheck(target);
    if (!target.exists) {
      await rmdir(target.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await rename(temporary, target.path);
      return;
    }
    const written = await readdir(temporary);
    for (const name of replaces.filter((file) => !written.includes(file))) await rm(join(target.path, name), { force: true });
    for (const name of written) await rename(join(temporary, name), join(target.path, name));
    await rm(temporary, { recursive: true, force: true });
  } catch (error) {
    await failed(error, temporary, target.label);
  } finally {
    liveTemporaries.delete(temporary);
  }
}
