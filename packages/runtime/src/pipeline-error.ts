import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.pipeline');

/**
 * A pipeline that cannot be built or called: a bundle whose head does not answer the asked task,
 * a bundle without a vocabulary, or inputs that are not texts (empty, not strings, a question
 * without a context).
 *
 * @example
 * ```ts
 * try { await classify(['']); } catch (error) {
 *   if (PipelineError.isInstance(error)) console.error(error.expected, error.received);
 * }
 * ```
 */
export class PipelineError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'PipelineError';
  }

  static override isInstance(error: unknown): error is PipelineError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
