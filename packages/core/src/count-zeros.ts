import type { SafetensorsDtype } from './io/safetensors-format';

/**
 * The number of exact zeros among `values` (`-0` counts, `NaN` does not): the one zero counter
 * every sparsity figure of pofa comes from (`@pofa/prune`'s `sparsityReport`, bundle and
 * checkpoint inspection, the compression report of `.pofa` bundles). Pass a typed array: the
 * loop reads it in place, whatever its size.
 *
 * @example
 * ```ts
 * countZeros(new Float32Array([0, 1.5, -0, 2])); // 2
 * const sparsity = countZeros(values) / values.length;
 * ```
 */
export function countZeros(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros;
}

/**
 * The number of zero elements in raw little-endian safetensors data of type `dtype`, counted on
 * typed-array views of the bits (no copy): for `F32`, `F16` and `BF16` both `+0` and `-0`, for
 * the integer types and `BOOL` the value 0. `bytes` must hold whole elements and start at an
 * offset aligned to the element size (a fresh buffer or a chunk of one).
 *
 * @example
 * ```ts
 * const halves = new Uint16Array([0x0000, 0x8000, 0x3c00]); // +0, -0, 1 in F16
 * countZerosOfDtype('F16', new Uint8Array(halves.buffer)); // 2
 * ```
 */
export function countZerosOfDtype(dtype: SafetensorsDtype, bytes: Uint8Array): number {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dtype) {
    case 'F32':
      return countZeros(new Float32Array(buffer, byteOffset, byteLength / 4));
    case 'I32':
      return countZeros(new Int32Array(buffer, byteOffset, byteLength / 4));
    case 'I64': {
      // An int64 is zero when both of its 32-bit halves are.
      const words = new Uint32Array(buffer, byteOffset, byteLength / 4);
      let zeros = 0;
      for (let i = 0; i < words.length; i += 2) if ((words[i] | words[i + 1]) === 0) zeros++;
      return zeros;
    }
    case 'F16':
    case 'BF16': {
      // Zero whatever the sign bit: every other bit clear.
      const halves = new Uint16Array(buffer, byteOffset, byteLength / 2);
      let zeros = 0;
      for (let i = 0; i < halves.length; i++) if ((halves[i] & 0x7fff) === 0) zeros++;
      return zeros;
    }
    case 'I8':
    case 'U8':
    case 'BOOL':
      return countZeros(bytes);
  }
}
