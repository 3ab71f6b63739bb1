import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.queue');

/**
 * The job queue could not do its part: Redis cannot be reached at `--queue`, or stages of a grid
 * failed on the workers (each after its retries; the message names them and their logs). The
 * CLI exits with 1.
 *
 * @example
 * ```ts
 * throw new QueueError('Cannot reach Redis at redis://127.0.0.1:6379: connection refused', { hint: 'Start redis-server or check --queue' });
 * ```
 */
export class QueueError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'QueueError';
  }

  static override isInstance(error: unknown): error is QueueError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
