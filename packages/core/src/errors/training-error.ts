import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.training');

/** A training run that cannot go on: a non-finite loss, a bad data source, a lifecycle misuse. */
export class TrainingError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'TrainingError';
  }

  static override isInstance(error: unknown): error is TrainingError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
