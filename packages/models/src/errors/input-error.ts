import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.models.input');

/**
 * Model inputs that do not fit the model: ids outside the vocabulary, a sequence longer
 * than `max_position_embeddings`, masks of another shape.
 *
 * @example
 * ```ts
 * try { model.forward({ inputIds }); } catch (error) {
 *   if (InputError.isInstance(error)) console.error(error.expected, error.received);
 * }
 * ```
 */
export class InputError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'InputError';
  }

  static override isInstance(error: unknown): error is InputError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
