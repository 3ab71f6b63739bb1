import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.native-addon');

/**
 * The native addon did not load while `POFA_REQUIRE_NATIVE=1` asks for it (CI, deployment
 * images): no prebuilt binary fits the machine and none was built from source, or the file
 * failed to load. Without that variable the portable kernels run instead, with one notice.
 *
 * @example
 * ```ts
 * try { loadKernels(); } catch (error) {
 *   if (NativeAddonError.isInstance(error)) console.error(error.received, error.hint);
 * }
 * ```
 */
export class NativeAddonError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'NativeAddonError';
  }

  static override isInstance(error: unknown): error is NativeAddonError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
