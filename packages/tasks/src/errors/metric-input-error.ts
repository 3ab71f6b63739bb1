import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.metric-input');

/**
 * Inputs a metric cannot score: predictions and labels of different lengths, an empty
 * list, a value that is not a finite number, or a label set the chosen averaging forbids.
 *
 * @example
 * ```ts
 * try { accuracy([1, 0], [1]); } catch (error) {
 *   if (MetricInputError.isInstance(error)) console.error(error.expected, error.received);
 * }
 * ```
 */
export class MetricInputError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'MetricInputError';
  }

  static override isInstance(error: unknown): error is MetricInputError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
