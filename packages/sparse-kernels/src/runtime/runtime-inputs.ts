import type { EncoderConfig } from '../bundle/encoder-config';
import { RuntimeInputError } from './runtime-input-error';

/** A `[batch, seq]` integer input: nested arrays, or flat values with their shape. */
export type TokenMatrix = readonly (readonly number[])[] | { data: ArrayLike<number>; shape: readonly [number, number] };

/** What {@link EncoderRuntime.run} takes: token ids, and optionally the padding mask and segment ids. */
export interface EncoderInputs {
  inputIds: TokenMatrix;
  /** 1 for tokens, 0 for padding (default all ones). */
  attentionMask?: TokenMatrix;
  /** Segment ids (BERT only; ignored by DistilBERT; default all zeros). */
  tokenTypeIds?: TokenMatrix;
}

/** Inputs flattened and checked. */
export interface CheckedEncoderInputs {
  batch: number;
  seq: number;
  inputIds: Int32Array;
  mask: Float32Array;
  tokenTypeIds: Int32Array;
}

function flatten(matrix: TokenMatrix, name: string): { data: Int32Array; shape: [number, number] } {
  if (Array.isArray(matrix)) {
    const rows = matrix as readonly (readonly number[])[];
    const seq = rows[0]?.length ?? 0;
    if (rows.some((row) => !Array.isArray(row) || row.length !== seq)) {
      throw new RuntimeInputError(`${name} is ragged`, { expected: `every row of length ${seq}`, received: `lengths ${rows.map((row) => row?.length).join(', ')}`, hint: 'Pad the batch to one length and pass attentionMask' });
    }
    const data = new Int32Array(rows.length * seq);
    rows.forEach((row, b) => row.forEach((value, s) => (data[b * seq + s] = value)));
    return { data: checkIntegers(data, rows.flat(), name), shape: [rows.length, seq] };
  }
  const { data, shape } = matrix as { data: ArrayLike<number>; shape: readonly [number, number] };
  if (shape === undefined || data === undefined || data.length !== shape[0] * shape[1]) {
    throw new RuntimeInputError(`${name} does not match its shape`, { expected: 'data of batch × seq values', received: `${data?.length} values for shape [${shape?.join(', ')}]` });
  }
  return { data: checkIntegers(Int32Array.from(data), Array.from(data), name), shape: [shape[0], shape[1]] };
}

function checkIntegers(data: Int32Array, source: ArrayLike<number>, name: string): Int32Array {
  for (let i = 0; i < source.length; i++) {
    if (!Number.isInteger(source[i])) throw new RuntimeInputError(`${name} holds a non-integer`, { expected: 'integers', received: `${source[i]} at flat index ${i}` });
  }
  return data;
}

function checkRange(data: Int32Array, bound: number, name: string, hint: string): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] >= bound) throw new RuntimeInputError(`${name} has a value outside [0, ${bound})`, { expected: `values in [0, ${bound})`, received: `${data[i]} at flat index ${i}`, hint });
  }
}

/**
 * Flattens and checks encoder inputs against the config (as `@pofa/models`' `checkInputs`).
 *
 * @example
 * ```ts
 * const { batch, seq, inputIds, mask } = checkEncoderInputs({ inputIds: [[101, 102]] }, config);
 * ```
 */
export function checkEncoderInputs(inputs: EncoderInputs, config: EncoderConfig): CheckedEncoderInputs {
  const ids = flatten(inputs.inputIds, 'inputIds');
  const [batch, seq] = ids.shape;
  if (batch === 0 || seq === 0) throw new RuntimeInputError('inputIds is empty', { expected: 'batch and seq of at least 1', received: `shape [${batch}, ${seq}]` });
  if (seq > config.maxPositions) {
    throw new RuntimeInputError('inputIds is longer than the model allows', { expected: `at most ${config.maxPositions} tokens`, received: `${seq} tokens`, hint: 'Truncate the sequences' });
  }
  checkRange(ids.data, config.vocabSize, 'inputIds', 'Use the tokenizer that matches the bundle vocabulary');
  const sameShape = (matrix: TokenMatrix, name: string): Int32Array => {
    const flat = flatten(matrix, name);
    if (flat.shape[0] !== batch || flat.shape[1] !== seq) throw new RuntimeInputError(`${name} does not have the shape of inputIds`, { expected: `[${batch}, ${seq}]`, received: `[${flat.shape.join(', ')}]` });
    return flat.data;
  };
  const mask = new Float32Array(batch * seq).fill(1);
  if (inputs.attentionMask !== undefined) {
    const given = sameShape(inputs.attentionMask, 'attentionMask');
    checkRange(given, 2, 'attentionMask', 'Use 1 for tokens and 0 for padding');
    mask.set(given);
  }
  let tokenTypeIds: Int32Array = new Int32Array(batch * seq);
  if (inputs.tokenTypeIds !== undefined && config.typeVocabSize > 0) {
    tokenTypeIds = sameShape(inputs.tokenTypeIds, 'tokenTypeIds');
    checkRange(tokenTypeIds, config.typeVocabSize, 'tokenTypeIds', 'Token types must be below the type vocabulary');
  }
  return { batch, seq, inputIds: ids.data, mask, tokenTypeIds };
}
