import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.backend');

/** A tfjs backend that is unknown, not installed, or failed to start. */
export class BackendError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'BackendError';
  }

  static override isInstance(error: unknown): error is BackendError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
