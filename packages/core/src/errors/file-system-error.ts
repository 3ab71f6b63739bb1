import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.file-system');

/** What pofa was doing with a path when the system refused. */
export type FileAction = 'read' | 'write' | 'create the folder';

/** The stable codes of {@link FileSystemError}, by the errno that causes each. */
const CAUSES: Record<string, { code: string; what: (path: string) => string; hint: string }> = {
  ENOSPC: { code: 'POFA_NO_SPACE', what: (path) => `no space left on the device of ${path}`, hint: 'Free some space or write to another disk; nothing was left half-written' },
  EDQUOT: { code: 'POFA_NO_SPACE', what: (path) => `the disk quota of ${path} is used up`, hint: 'Free some space or write to another disk; nothing was left half-written' },
  EACCES: { code: 'POFA_PERMISSION_DENIED', what: (path) => `permission denied for ${path}`, hint: 'Choose a path you may write, or change its permissions' },
  EPERM: { code: 'POFA_PERMISSION_DENIED', what: (path) => `the operation is not permitted on ${path}`, hint: 'Choose a path you may write, or change its permissions' },
  EROFS: { code: 'POFA_READ_ONLY', what: (path) => `${path} is on a read-only file system`, hint: 'Write to another folder' },
  ENOENT: { code: 'POFA_MISSING_FOLDER', what: (path) => `${path} or a folder above it does not exist`, hint: 'Check the path (create the folder first with mkdir -p)' },
  ENOTDIR: { code: 'POFA_NOT_A_FOLDER', what: (path) => `a part of ${path} is a file, not a folder`, hint: 'Check the path' },
  EISDIR: { code: 'POFA_IS_A_FOLDER', what: (path) => `${path} is a folder where a file goes`, hint: 'Name a file inside it, or another path' },
  EEXIST: { code: 'POFA_EXISTS', what: (path) => `${path} already exists`, hint: 'Choose another path' },
  ENAMETOOLONG: { code: 'POFA_NAME_TOO_LONG', what: (path) => `the name ${path} is too long`, hint: 'Use a shorter path' },
  EMFILE: { code: 'POFA_TOO_MANY_FILES', what: () => 'too many open files', hint: 'Raise the limit (ulimit -n) and run again' },
  EIO: { code: 'POFA_IO', what: (path) => `the device of ${path} reported an I/O error`, hint: 'Check the disk' },
};

/**
 * The operating system refused to read or write a path: no space, permission denied, a read-only
 * file system, a missing folder, a file where a folder goes or the reverse. Its `code` names the
 * cause (`POFA_NO_SPACE`, `POFA_PERMISSION_DENIED`, ...; see `docs/errors.md`) and `errno` keeps
 * the system's own code. The CLI exits with 3 for these.
 *
 * @example
 * ```ts
 * try { await writeFile(path, bytes); } catch (error) { throw FileSystemError.from(error, 'write', path); }
 * ```
 */
export class FileSystemError extends PofaError {
  private readonly [marker] = true;
  /** The system's code (`ENOSPC`), or undefined when the error had none. */
  readonly errno?: string;

  constructor(message: string, details: PofaErrorDetails & { errno?: string } = {}) {
    super(message, details);
    this.name = 'FileSystemError';
    this.errno = details.errno;
  }

  /**
   * The {@link FileSystemError} for an error of `node:fs` met while doing `action` on `path`; a
   * {@link PofaError} is returned as it is.
   */
  static from(error: unknown, action: FileAction, path: string): PofaError {
    if (PofaError.isInstance(error)) return error;
    const errno = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const cause = errno === undefined ? undefined : CAUSES[errno];
    if (cause === undefined) {
      return new FileSystemError(`Cannot ${action} ${path}`, { received: errno ?? (error instanceof Error ? error.message : String(error)), hint: 'Check the path, its permissions and the free space', code: 'POFA_IO', cause: error, ...(errno === undefined ? {} : { errno }) });
    }
    return new FileSystemError(`Cannot ${action} ${path}: ${cause.what(path)}`, { hint: cause.hint, code: cause.code, cause: error, ...(errno === undefined ? {} : { errno }) });
  }

  static override isInstance(error: unknown): error is FileSystemError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
