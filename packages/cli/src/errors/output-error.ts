import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.output');

/**
 * pofa refuses an output path before doing any work: it would overwrite a file or a folder the
 * user has (without `--force`), it is a device, FIFO or socket, or it lies on a kernel pseudo-file
 * system (`/proc`, `/sys`, `/dev`). Its `code` says which (`POFA_OUTPUT_EXISTS`,
 * `POFA_OUTPUT_SPECIAL`, `POFA_OUTPUT_KIND`); the CLI exits with 3.
 *
 * @example
 * ```ts
 * throw new OutputError('--out model.pofa already exists', { code: 'POFA_OUTPUT_EXISTS', hint: 'Pass --force to replace it' });
 * ```
 */
export class OutputError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'OutputError';
  }

  static override isInstance(error: unknown): error is OutputError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
