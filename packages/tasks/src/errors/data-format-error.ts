import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.data-format');

/**
 * A data file (GLUE TSV, SQuAD JSON, user TSV/JSONL) or an in-memory dataset that does not
 * have the expected layout. The message names the file and line where one is known.
 *
 * @example
 * ```ts
 * try { await loadGlueTask('rte', './glue/RTE', 'dev'); } catch (error) {
 *   if (DataFormatError.isInstance(error)) console.error(error.message, error.hint);
 * }
 * ```
 */
export class DataFormatError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'DataFormatError';
  }

  static override isInstance(error: unknown): error is DataFormatError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
