import { PofaError, type PofaErrorDetails } from './pofa-error';

const marker = Symbol.for('pofa.error.shape');

/** Tensors whose shapes or dtypes do not fit together. */
export class ShapeError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'ShapeError';
  }

  static override isInstance(error: unknown): error is ShapeError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
