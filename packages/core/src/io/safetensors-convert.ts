import { describeValue } from '../errors/pofa-error';
import { SafetensorsError } from '../errors/safetensors-error';
import type { tf } from '../tensor/tf';
import { decodeHalfArray, encodeHalfArray } from './safetensors-float16';
import {
  SAFETENSORS_DTYPE_BYTES,
  SAFETENSORS_DTYPES,
  isSafetensorsDtype,
  isValidShape,
  shapeElementCount,
  type RawTensor,
  type SafetensorsDtype,
  type SafetensorsTensorInfo,
} from './safetensors-format';

type RawData = RawTensor['data'];

/** What tfjs needs to build a tensor from a {@link RawTensor}. */
export interface TensorData {
  values: Float32Array | Int32Array | Uint8Array;
  dtype: 'float32' | 'int32' | 'bool';
}

const INTEGER_RANGES: Partial<Record<SafetensorsDtype, readonly [number, number]>> = {
  I8: [-128, 127],
  U8: [0, 255],
  I32: [-2147483648, 2147483647],
  I64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  BOOL: [0, 1],
};

const INT32_RANGE = INTEGER_RANGES.I32 as readonly [number, number];
const INT32_HINT = 'tfjs holds integers as int32; read the file with readSafetensorsRaw to keep the I64 values';

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Reverses the bytes of each `size`-byte element in place (little- <-> big-endian). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let start = 0; start < bytes.length; start += size) bytes.subarray(start, start + size).reverse();
}

function viewAs(dtype: SafetensorsDtype, buffer: ArrayBuffer, count: number): RawData {
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, 0, count);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer, 0, count);
    case 'I8':
      return new Int8Array(buffer, 0, count);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer, 0, count);
    case 'I32':
      return new Int32Array(buffer, 0, count);
    case 'I64':
      return new BigInt64Array(buffer, 0, count);
  }
}

const ARRAY_TYPES = {
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I8: Int8Array,
  U8: Uint8Array,
  I32: Int32Array,
  I64: BigInt64Array,
  BOOL: Uint8Array,
} as const;

function hasArrayTypeOf(dtype: SafetensorsDtype, data: unknown): data is RawData {
  return data instanceof ARRAY_TYPES[dtype];
}

/** A copy of the bytes of one tensor of a validated file, as its typed array. */
export function rawTensorFromBytes(name: string, info: SafetensorsTensorInfo, buffer: Uint8Array, source: string): RawTensor {
  const [begin, end] = info.dataOffsets;
  const copy = new Uint8Array(end - begin);
  copy.set(buffer.subarray(begin, end));
  return rawTensorFromOwnedBytes(name, info, copy, source);
}

/**
 * The tensor of a validated file from `bytes`, a fresh array holding exactly its data (read
 * from the file for this tensor alone): used in place, no copy.
 */
export function rawTensorFromOwnedBytes(name: string, info: SafetensorsTensorInfo, bytes: Uint8Array<ArrayBuffer>, source: string): RawTensor {
  const size = SAFETENSORS_DTYPE_BYTES[info.dtype];
  if (size > 1 && !isLittleEndianHost()) swapBytes(bytes, size);
  const data = viewAs(info.dtype, bytes.buffer, bytes.byteLength / size);
  if (info.dtype === 'BOOL') {
    const index = (data as Uint8Array).findIndex((value) => value > 1);
    if (index >= 0) {
      throw new SafetensorsError(`Invalid BOOL value in tensor ${JSON.stringify(name)} of ${source}`, {
        expected: 'bytes 0 or 1',
        received: `${data[index]} at element ${index}`,
        hint: 'The file is corrupt',
      });
    }
  }
  return { dtype: info.dtype, shape: [...info.shape], data };
}

/** The little-endian bytes of a raw tensor's data (a view when the host is little-endian). */
export function rawTensorBytes(raw: RawTensor): Uint8Array {
  const view = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  if (SAFETENSORS_DTYPE_BYTES[raw.dtype] === 1 || isLittleEndianHost()) return view;
  const copy = view.slice();
  swapBytes(copy, SAFETENSORS_DTYPE_BYTES[raw.dtype]);
  return copy;
}

function invalidTensor(name: string, what: string, expected: string, received: string, hint: string): never {
  throw new SafetensorsError(`Invalid tensor ${JSON.stringify(name)}: ${what}`, { expected, received, hint });
}

/** Checks that `value` is a well-formed {@link RawTensor}. */
export function validateRawTensor(name: string, value: unknown): RawTensor {
  const raw = value as Partial<RawTensor>;
  if (!isSafetensorsDtype(raw.dtype)) {
    invalidTensor(
      name,
      'unknown dtype',
      `one of ${SAFETENSORS_DTYPES.join(', ')}`,
      describeValue(raw.dtype),
      'Give a tf.Tensor or a RawTensor with a supported dtype',
    );
  }
  if (!isValidShape(raw.shape)) {
    invalidTensor(name, 'invalid shape', 'an array of non-negative integers', describeValue(raw.shape), 'Give the shape as a number[]');
  }
  if (!hasArrayTypeOf(raw.dtype, raw.data)) {
    const received = raw.data === null || typeof raw.data !== 'object' ? describeValue(raw.data) : Object.prototype.toString.call(raw.data);
    invalidTensor(
      name,
      `wrong data array for ${raw.dtype}`,
      'Float32Array for F32, Uint16Array bit patterns for F16/BF16, Int8Array for I8, Uint8Array for U8/BOOL, Int32Array for I32, BigInt64Array for I64',
      received,
      'Store the values in the typed array of the dtype',
    );
  }
  const count = shapeElementCount(raw.shape);
  if (raw.data.length !== count) {
    invalidTensor(
      name,
      'data length does not match the shape',
      `${count} elements for shape [${raw.shape.join(', ')}]`,
      `${raw.data.length} elements`,
      'Check the shape and the data array',
    );
  }
  if (raw.dtype === 'BOOL') checkIntegers(name, raw.data as Uint8Array, 'BOOL');
  return raw as RawTensor;
}

function checkIntegers(name: string, values: ArrayLike<number>, dtype: SafetensorsDtype): void {
  const [minimum, maximum] = INTEGER_RANGES[dtype] ?? [-Infinity, Infinity];
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      invalidTensor(
        name,
        `a value does not fit ${dtype}`,
        `integers in [${minimum}, ${maximum}]`,
        `${value} at element ${index}`,
        `Round or clip the values, or save the tensor with another dtype`,
      );
    }
  }
}

/**
 * Encodes numbers as a raw tensor of `dtype`, rounding floats to nearest even and range-checking
 * integers. A Float32Array encoded as F32 is used as it is (no copy): the caller writes it out
 * before it can change.
 */
export function encodeNumbers(name: string, values: ArrayLike<number>, dtype: SafetensorsDtype, shape: number[]): RawTensor {
  switch (dtype) {
    case 'F32':
      return { dtype, shape: [...shape], data: values instanceof Float32Array ? values : Float32Array.from(values) };
    case 'F16':
    case 'BF16':
      return { dtype, shape: [...shape], data: encodeHalfArray(values, dtype) };
    default:
      break;
  }
  checkIntegers(name, values, dtype);
  const data =
    dtype === 'I8' ? Int8Array.from(values)
    : dtype === 'I32' ? Int32Array.from(values)
    : dtype === 'I64' ? BigInt64Array.from(Array.from(values, (value) => BigInt(value)))
    : Uint8Array.from(values);
  return { dtype, shape: [...shape], data };
}

/** The values of a raw tensor as numbers (F16/BF16 decoded; I64 must be safe integers). */
export function numbersFromRaw(
  name: string,
  raw: RawTensor,
  source: string,
  range = INTEGER_RANGES.I64,
  hint = 'Only I64 values within ±2^53 convert to another dtype; keep the I64 dtype',
): ArrayLike<number> {
  if (raw.dtype === 'F16' || raw.dtype === 'BF16') return decodeHalfArray(raw.data as Uint16Array, raw.dtype);
  if (raw.dtype !== 'I64') return raw.data as Exclude<RawData, BigInt64Array>;
  const data = raw.data as BigInt64Array;
  const [minimum, maximum] = range as readonly [number, number];
  const [lowest, highest] = [BigInt(minimum), BigInt(maximum)];
  const values = new Float64Array(data.length);
  for (let index = 0; index < data.length; index++) {
    const value = data[index];
    if (value < lowest || value > highest) {
      throw new SafetensorsError(`I64 value out of range in tensor ${JSON.stringify(name)} of ${source}`, {
        expected: `integers in [${minimum}, ${maximum}]`,
        received: `${value} at element ${index}`,
        hint,
      });
    }
    values[index] = Number(value);
  }
  return values;
}

/**
 * The tfjs values of a raw tensor: F32/F16/BF16 as float32, I8/U8/I32/I64 as int32 (an I64
 * value outside int32 is an error), BOOL as bool.
 */
export function tensorDataFromRaw(name: string, raw: RawTensor, source: string): TensorData {
  switch (raw.dtype) {
    case 'F32':
      return { values: raw.data as Float32Array, dtype: 'float32' };
    case 'F16':
    case 'BF16':
      return { values: decodeHalfArray(raw.data as Uint16Array, raw.dtype), dtype: 'float32' };
    case 'I32':
      return { values: raw.data as Int32Array, dtype: 'int32' };
    case 'I8':
    case 'U8':
      return { values: Int32Array.from(raw.data as Int8Array | Uint8Array), dtype: 'int32' };
    case 'I64':
      return { values: Int32Array.from(numbersFromRaw(name, raw, source, INT32_RANGE, INT32_HINT)), dtype: 'int32' };
    case 'BOOL':
      return { values: raw.data as Uint8Array, dtype: 'bool' };
  }
}

function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && typeof (value as tf.Tensor).dataSync === 'function';
}

const DEFAULT_DTYPES: Record<string, SafetensorsDtype | undefined> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

/**
 * The raw tensor to write for one entry: a tf.Tensor by its dtype (float32 → F32, int32 → I32,
 * bool → BOOL), a RawTensor as it is, unless `dtype` asks for another type.
 */
export function rawFromEntry(name: string, entry: unknown, dtype: SafetensorsDtype | undefined): RawTensor {
  if (isTensor(entry)) {
    if (entry.isDisposed) invalidTensor(name, 'the tensor is disposed', 'a live tf.Tensor', 'a disposed tensor', 'Save tensors before disposing them');
    const natural = DEFAULT_DTYPES[entry.dtype];
    if (natural === undefined) {
      invalidTensor(name, 'unsupported tensor dtype', 'a float32, int32 or bool tensor', entry.dtype, 'Cast the tensor with tf.cast before saving it');
    }
    const values = entry.dataSync() as Float32Array | Int32Array | Uint8Array;
    return encodeNumbers(name, values, dtype ?? natural, entry.shape);
  }
  if (typeof entry !== 'object' || entry === null) {
    invalidTensor(name, 'not a tensor', 'a tf.Tensor or a RawTensor', describeValue(entry), 'Pass tensors as values of the record');
  }
  const raw = validateRawTensor(name, entry);
  if (dtype === undefined || dtype === raw.dtype) return raw;
  return encodeNumbers(name, numbersFromRaw(name, raw, 'the tensors to write'), dtype, raw.shape);
}
