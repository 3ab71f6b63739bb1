import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.store');

/**
 * The `--store` of a grid could not do its part: an S3 bucket that does not exist, credentials
 * it refuses, an endpoint that does not answer (in time), or a stage in it whose files do not
 * match its `done.json`. The message names the bucket and what failed; the CLI exits with 1.
 *
 * @example
 * ```ts
 * throw new StoreError('No bucket pofa-runs at http://127.0.0.1:9000', { hint: 'Create the bucket, or check --store' });
 * ```
 */
export class StoreError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'StoreError';
  }

  static override isInstance(error: unknown): error is StoreError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
