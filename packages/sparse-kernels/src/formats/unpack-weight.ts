import { unpackBitmask } from './bitmask-format';
import { unpackBlock } from './block-format';
import { storedValue, unpackCsr } from './csr-format';
import { unpackNm } from './nm-format';
import type { PackedWeight } from './packed-weight';

/**
 * The dense row-major `[rows, cols]` fp32 weight a packed weight stands for (int8 weights
 * dequantized as `q × scales[row]`, rounded to fp32). The inverse of {@link packWeight}: exact.
 *
 * @example
 * ```ts
 * const packed = packWeight(dense, rows, cols, { format: 'block', block: [4, 1], mask });
 * unpackWeight(packed); // dense × mask, element for element
 * ```
 */
export function unpackWeight(packed: PackedWeight): Float32Array {
  const out = new Float32Array(packed.rows * packed.cols);
  const valueAt = (index: number, row: number): number => storedValue(packed, index, row);
  switch (packed.format) {
    case 'dense':
      for (let r = 0; r < packed.rows; r++) for (let c = 0; c < packed.cols; c++) out[r * packed.cols + c] = valueAt(r * packed.cols + c, r);
      break;
    case 'csr':
      unpackCsr(packed, out, valueAt);
      break;
    case 'block':
      unpackBlock(packed, out, valueAt);
      break;
    case 'nm':
      unpackNm(packed, out, valueAt);
      break;
    case 'bitmask':
      unpackBitmask(packed, out, valueAt);
      break;
  }
  return out;
}
