import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.safetensors');

/** A safetensors file that cannot be written, or is truncated, corrupt or malformed. */
export class SafetensorsError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'SafetensorsError';
  }

  static override isInstance(error: unknown): error is SafetensorsError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
