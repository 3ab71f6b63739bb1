/**
 * The element types pofa reads and writes (a subset of the safetensors spec).
 *
 * @example
 * ```ts
 * SAFETENSORS_DTYPES.includes('F16'); // true
 * ```
 */
export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16', 'I8', 'U8', 'I32', 'I64', 'BOOL'] as const;

/**
 * A safetensors element type.
 *
 * @example
 * ```ts
 * const dtype: SafetensorsDtype = 'BF16';
 * ```
 */
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

/**
 * Bytes per element of each {@link SafetensorsDtype}.
 *
 * @example
 * ```ts
 * SAFETENSORS_DTYPE_BYTES.BF16; // 2
 * ```
 */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I8: 1,
  U8: 1,
  I32: 4,
  I64: 8,
  BOOL: 1,
};

/**
 * A tensor as stored in a safetensors file, without tfjs: F16 and BF16 are carried as
 * `Uint16Array` bit patterns, BOOL as a `Uint8Array` of 0 and 1, I64 as a `BigInt64Array`.
 *
 * @example
 * ```ts
 * const bias: RawTensor = { dtype: 'F32', shape: [2], data: new Float32Array([0.5, -1]) };
 * ```
 */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;
}

/**
 * One tensor's entry in a safetensors header; `dataOffsets` are relative to the start of
 * the byte buffer that follows the header.
 *
 * @example
 * ```ts
 * const info: SafetensorsTensorInfo = { dtype: 'F32', shape: [2], dataOffsets: [0, 8] };
 * ```
 */
export interface SafetensorsTensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  dataOffsets: [number, number];
}

/**
 * A validated safetensors header: the `__metadata__` map and the entry of each tensor.
 *
 * @example
 * ```ts
 * const { metadata, tensors } = await readSafetensorsMetadata('model.safetensors');
 * console.log(metadata.format, tensors['classifier.weight'].shape);
 * ```
 */
export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: Record<string, SafetensorsTensorInfo>;
}

/**
 * The largest header pofa accepts, as the reference implementation does (100 MB).
 *
 * @example
 * ```ts
 * if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) console.warn('not a safetensors file');
 * ```
 */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/**
 * True when `value` names a supported {@link SafetensorsDtype}.
 *
 * @example
 * ```ts
 * isSafetensorsDtype('I64'); // true
 * isSafetensorsDtype('F64'); // false
 * ```
 */
export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}

/**
 * The number of elements of `shape`; a product beyond 2^53 is returned inexactly (it can
 * never equal a real byte length, which is what callers compare it to).
 */
export function shapeElementCount(shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  return shape.reduce((product, size) => product * size, 1);
}

/** True when `shape` is an array of non-negative safe integers. */
export function isValidShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((size) => Number.isSafeInteger(size) && size >= 0);
}
