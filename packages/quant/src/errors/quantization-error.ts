import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.quantization');

/**
 * A quantization setting or input that cannot work: bits outside 2–16, an empty integer
 * range, a non-positive scale, an axis out of range, an observer read before it saw data.
 *
 * @example
 * ```ts
 * try { quantParams({ min: -1, max: 1, bits: 32, symmetric: true }); } catch (error) {
 *   if (QuantizationError.isInstance(error)) console.error(error.expected); // "bits in [2, 16]"
 * }
 * ```
 */
export class QuantizationError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'QuantizationError';
  }

  static override isInstance(error: unknown): error is QuantizationError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
