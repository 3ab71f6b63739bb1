/**
 * IEEE 754 half precision (F16) and bfloat16 (BF16) as 16-bit patterns: exact decoding and
 * encoding with round-to-nearest-even from any JavaScript number (a single rounding, so an
 * int32 or float64 value is not rounded twice through float32).
 */

interface MinifloatFormat {
  readonly exponentBits: number;
  readonly mantissaBits: number;
}

const FLOAT16: MinifloatFormat = { exponentBits: 5, mantissaBits: 10 };
const BFLOAT16: MinifloatFormat = { exponentBits: 8, mantissaBits: 7 };

/** The largest integer `e` with `2 ** e <= magnitude`, for a finite positive magnitude. */
function floorLog2(magnitude: number): number {
  let exponent = Math.floor(Math.log2(magnitude));
  while (2 ** exponent > magnitude) exponent -= 1;
  while (2 ** (exponent + 1) <= magnitude) exponent += 1;
  return exponent;
}

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function encodeMinifloat(value: number, format: MinifloatFormat): number {
  const { exponentBits, mantissaBits } = format;
  const bias = 2 ** (exponentBits - 1) - 1;
  const exponentField = 2 ** exponentBits - 1;
  const infinityBits = exponentField * 2 ** mantissaBits;
  if (Number.isNaN(value)) return infinityBits + 2 ** (mantissaBits - 1);
  const sign = value < 0 || Object.is(value, -0) ? 2 ** (exponentBits + mantissaBits) : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign + infinityBits;
  const minimumExponent = 1 - bias;
  let exponent = magnitude === 0 ? minimumExponent : Math.max(floorLog2(magnitude), minimumExponent);
  // Scaling by a power of two is exact here: the result is at least 2 ** mantissaBits or
  // the value is a subnormal of the target, so nothing underflows.
  let significand = roundHalfToEven(magnitude * 2 ** (mantissaBits - exponent));
  if (significand === 2 ** (mantissaBits + 1)) {
    exponent += 1;
    significand /= 2;
  }
  if (significand < 2 ** mantissaBits) return sign + significand; // subnormal or zero
  const biasedExponent = exponent + bias;
  if (biasedExponent >= exponentField) return sign + infinityBits;
  return sign + biasedExponent * 2 ** mantissaBits + (significand - 2 ** mantissaBits);
}

function decodeMinifloat(bits: number, format: MinifloatFormat): number {
  const { exponentBits, mantissaBits } = format;
  const bias = 2 ** (exponentBits - 1) - 1;
  const exponentField = 2 ** exponentBits - 1;
  const sign = bits >= 2 ** (exponentBits + mantissaBits) ? -1 : 1;
  const exponent = Math.floor(bits / 2 ** mantissaBits) % 2 ** exponentBits;
  const mantissa = bits % 2 ** mantissaBits;
  if (exponent === exponentField) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** (1 - bias - mantissaBits);
  return sign * (2 ** mantissaBits + mantissa) * 2 ** (exponent - bias - mantissaBits);
}

/**
 * The F16 bit pattern nearest to `value` (ties to even); NaN becomes the quiet NaN `0x7e00`.
 *
 * @example
 * ```ts
 * float16FromNumber(1); // 0x3c00
 * float16FromNumber(65520); // 0x7c00 (infinity)
 * ```
 */
export function float16FromNumber(value: number): number {
  return encodeMinifloat(value, FLOAT16);
}

/**
 * The BF16 bit pattern nearest to `value` (ties to even); NaN becomes the quiet NaN `0x7fc0`.
 *
 * @example
 * ```ts
 * bfloat16FromNumber(1); // 0x3f80
 * ```
 */
export function bfloat16FromNumber(value: number): number {
  return encodeMinifloat(value, BFLOAT16);
}

/**
 * The value of an F16 bit pattern (exact, subnormals and infinities included).
 *
 * @example
 * ```ts
 * float16ToNumber(0x0001); // 2 ** -24
 * ```
 */
export function float16ToNumber(bits: number): number {
  return decodeMinifloat(bits & 0xffff, FLOAT16);
}

/**
 * The value of a BF16 bit pattern (exact).
 *
 * @example
 * ```ts
 * bfloat16ToNumber(0x3f80); // 1
 * ```
 */
export function bfloat16ToNumber(bits: number): number {
  return decodeMinifloat(bits & 0xffff, BFLOAT16);
}

let float16Table: Float32Array | undefined;
let bfloat16Table: Float32Array | undefined;

function decodeTable(format: MinifloatFormat): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = decodeMinifloat(bits, format);
  return table;
}

/**
 * Decodes an array of F16 or BF16 bit patterns to float32 values (every half and bfloat16
 * value is exactly representable in float32).
 *
 * @example
 * ```ts
 * decodeHalfArray(new Uint16Array([0x3c00, 0xc000]), 'F16'); // Float32Array [1, -2]
 * ```
 */
export function decodeHalfArray(bits: Uint16Array, dtype: 'F16' | 'BF16'): Float32Array {
  const table = dtype === 'F16' ? (float16Table ??= decodeTable(FLOAT16)) : (bfloat16Table ??= decodeTable(BFLOAT16));
  const values = new Float32Array(bits.length);
  for (let index = 0; index < bits.length; index++) values[index] = table[bits[index]];
  return values;
}

/** F16 bits of a float32 given by its bit pattern, rounding to nearest even (integer arithmetic only). */
function float16FromFloat32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) return 0x7e00; // NaN
  if (magnitude >= 0x477ff000) return sign | 0x7c00; // at least 65520: infinity
  if (magnitude >= 0x38800000) {
    // Normal half: rebias the exponent, drop 13 mantissa bits; a carry moves into the exponent.
    const truncated = ((((magnitude >>> 23) - 112) << 10) | ((magnitude & 0x7fffff) >>> 13)) >>> 0;
    const remainder = magnitude & 0x1fff;
    return sign | (truncated + (remainder > 0x1000 || (remainder === 0x1000 && truncated & 1) ? 1 : 0));
  }
  const exponent = magnitude >>> 23;
  if (exponent < 102) return sign; // below 2^-25: rounds to zero
  // Subnormal half: the value is significand * 2^(exponent - 150), in units of 2^-24.
  const significand = (magnitude & 0x7fffff) | 0x800000;
  const shift = 126 - exponent;
  const truncated = significand >>> shift;
  const remainder = significand & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return sign | (truncated + (remainder > half || (remainder === half && truncated & 1) ? 1 : 0));
}

/** BF16 bits of a float32 given by its bit pattern: its top half, rounded to nearest even. */
function bfloat16FromFloat32Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return 0x7fc0; // NaN
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/**
 * Encodes numbers as F16 or BF16 bit patterns, rounding to nearest even. A `Float32Array`
 * takes a fast path on its bit patterns; other arrays round each number once, exactly.
 *
 * @example
 * ```ts
 * encodeHalfArray([1, 1 / 3], 'BF16'); // Uint16Array [0x3f80, 0x3eab]
 * ```
 */
export function encodeHalfArray(values: ArrayLike<number>, dtype: 'F16' | 'BF16'): Uint16Array {
  const bits = new Uint16Array(values.length);
  if (values instanceof Float32Array) {
    const float32Bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const encode = dtype === 'F16' ? float16FromFloat32Bits : bfloat16FromFloat32Bits;
    for (let index = 0; index < float32Bits.length; index++) bits[index] = encode(float32Bits[index]);
    return bits;
  }
  const format = dtype === 'F16' ? FLOAT16 : BFLOAT16;
  for (let index = 0; index < values.length; index++) bits[index] = encodeMinifloat(values[index], format);
  return bits;
}
