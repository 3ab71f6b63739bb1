import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.runtime-input');

/**
 * Inputs an encoder runtime cannot run: ragged or empty batches, ids outside the vocabulary,
 * sequences longer than the position table, masks other than 0/1.
 *
 * @example
 * ```ts
 * try { encoder.run({ inputIds: [[99999]] }); } catch (error) {
 *   if (RuntimeInputError.isInstance(error)) console.error(error.hint);
 * }
 * ```
 */
export class RuntimeInputError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'RuntimeInputError';
  }

  static override isInstance(error: unknown): error is RuntimeInputError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
