import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.checkpoint');

/** A checkpoint that is missing, incomplete or does not match the run resuming from it. */
export class CheckpointError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'CheckpointError';
  }

  static override isInstance(error: unknown): error is CheckpointError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
