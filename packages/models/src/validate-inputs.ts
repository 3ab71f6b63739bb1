import { tf } from '@pofa/core';
import { InputError } from './errors/input-error';
import type { ModelInputs } from './features';

/** Limits the inputs are checked against. */
export interface InputLimits {
  vocabSize: number;
  maxPositions: number;
  /** Token type vocabulary; 0 means the model has no segment embeddings and ignores token types (DistilBERT). */
  typeVocabSize: number;
}

/** Inputs as int32 `[batch, seq]` ids, float32 mask and int32 token types. */
export interface CheckedInputs {
  inputIds: tf.Tensor2D;
  mask: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
}

function toInt2d(value: tf.Tensor | number[][], name: string): tf.Tensor2D {
  const tensor = Array.isArray(value) ? tf.tensor2d(value, undefined, 'int32') : value;
  if (tensor.rank !== 2) {
    throw new InputError(`${name} must be a [batch, seq] tensor`, {
      expected: 'rank 2',
      received: `shape [${tensor.shape.join(', ')}]`,
    });
  }
  if (tensor.dtype !== 'int32') {
    throw new InputError(`${name} must be int32`, { expected: 'dtype int32', received: `dtype ${tensor.dtype}` });
  }
  return tensor as tf.Tensor2D;
}

function checkRange(tensor: tf.Tensor, name: string, bound: number, hint: string): void {
  const values = tensor.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= bound) {
      throw new InputError(`${name} has a value outside [0, ${bound})`, {
        expected: `values in [0, ${bound})`,
        received: `${values[i]} at flat index ${i}`,
        hint,
      });
    }
  }
}

/**
 * Checks and normalises model inputs; call inside `tf.tidy` (it may create tensors).
 * Throws an {@link InputError} naming the input at fault.
 *
 * @example
 * ```ts
 * const { inputIds, mask } = checkInputs({ inputIds: [[101, 102]] }, { vocabSize: 30522, maxPositions: 512, typeVocabSize: 2 });
 * ```
 */
export function checkInputs(inputs: ModelInputs, limits: InputLimits): CheckedInputs {
  const inputIds = toInt2d(inputs.inputIds, 'inputIds');
  const [batch, seq] = inputIds.shape;
  if (batch === 0 || seq === 0) {
    throw new InputError('inputIds is empty', { expected: 'batch and seq of at least 1', received: `shape [${batch}, ${seq}]` });
  }
  if (seq > limits.maxPositions) {
    throw new InputError('inputIds is longer than the model allows', {
      expected: `at most max_position_embeddings = ${limits.maxPositions} tokens`,
      received: `${seq} tokens`,
      hint: 'Truncate the sequences (or split them with a stride)',
    });
  }
  checkRange(inputIds, 'inputIds', limits.vocabSize, 'Use the tokenizer that matches the model vocabulary');
  const sameShape = (tensor: tf.Tensor2D, name: string): tf.Tensor2D => {
    if (!tf.util.arraysEqual(tensor.shape, inputIds.shape)) {
      throw new InputError(`${name} does not have the shape of inputIds`, {
        expected: `shape [${batch}, ${seq}]`,
        received: `shape [${tensor.shape.join(', ')}]`,
      });
    }
    return tensor;
  };
  let mask: tf.Tensor2D;
  if (inputs.attentionMask === undefined) mask = tf.ones([batch, seq], 'float32');
  else {
    const given = sameShape(toInt2d(inputs.attentionMask, 'attentionMask'), 'attentionMask');
    checkRange(given, 'attentionMask', 2, 'Use 1 for tokens and 0 for padding');
    mask = tf.cast(given, 'float32');
  }
  let tokenTypeIds: tf.Tensor2D;
  if (inputs.tokenTypeIds === undefined || limits.typeVocabSize === 0) tokenTypeIds = tf.zeros([batch, seq], 'int32');
  else {
    tokenTypeIds = sameShape(toInt2d(inputs.tokenTypeIds, 'tokenTypeIds'), 'tokenTypeIds');
    checkRange(tokenTypeIds, 'tokenTypeIds', limits.typeVocabSize, 'Token types must be below type_vocab_size');
  }
  return { inputIds, mask, tokenTypeIds };
}
