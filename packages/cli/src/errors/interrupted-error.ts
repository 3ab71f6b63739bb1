import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.interrupted');

/**
 * A run stopped by the user (Ctrl-C, SIGINT or SIGTERM). Its checkpoints are intact, so the same
 * command with `--resume` continues it. The CLI exits with 130.
 *
 * @example
 * ```ts
 * throw new InterruptedError('Interrupted during sparse pre-training', { hint: 'Run the same command with --resume to continue' });
 * ```
 */
export class InterruptedError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'InterruptedError';
  }

  static override isInstance(error: unknown): error is InterruptedError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
