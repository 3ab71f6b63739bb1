import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.bundle');

/**
 * A `.pofa` bundle that cannot be written or read: truncated, corrupted (checksum), of an
 * unknown version, or whose header or tensor sections do not agree with each other.
 *
 * @example
 * ```ts
 * try { await readBundle('model.pofa'); } catch (error) {
 *   if (BundleError.isInstance(error)) console.error(error.expected, error.received);
 * }
 * ```
 */
export class BundleError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'BundleError';
  }

  static override isInstance(error: unknown): error is BundleError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
