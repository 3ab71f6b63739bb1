import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.registry');

/** A registry key that is unknown, malformed, or registered twice. */
export class RegistryError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'RegistryError';
  }

  static override isInstance(error: unknown): error is RegistryError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
