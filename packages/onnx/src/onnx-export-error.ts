import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.onnx-export');

/**
 * A model, or an int8 record, that `exportOnnx` cannot turn into an ONNX graph: a model that is
 * not a pofa BERT or DistilBERT, fake quantization the record does not describe, or int8 tensors
 * that do not fit the model.
 *
 * @example
 * ```ts
 * throw new OnnxExportError('Cannot export this model to ONNX', { expected: 'a BertModel or DistilBertModel', received: 'a Linear' });
 * ```
 */
export class OnnxExportError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'OnnxExportError';
  }

  static override isInstance(error: unknown): error is OnnxExportError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
