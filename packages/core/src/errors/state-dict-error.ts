import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.state-dict');

/** A state dict whose keys or shapes do not match the module it is loaded into. */
export class StateDictError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'StateDictError';
  }

  static override isInstance(error: unknown): error is StateDictError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
