import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.usage');

/**
 * A command line the `pofa` command cannot read: an unknown command or option, a missing or
 * malformed value. The CLI prints its message and the command's usage line and exits with 2.
 *
 * @example
 * ```ts
 * throw new UsageError('Unknown option --sparsty', { expected: 'one of --sparsity, --pattern', hint: 'Did you mean --sparsity?' });
 * ```
 */
export class UsageError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'UsageError';
  }

  static override isInstance(error: unknown): error is UsageError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
