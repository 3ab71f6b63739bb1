import type { PackedWeight } from './packed-weight';

/**
 * The bytes a packed weight occupies: its values, scales and index arrays (not the few shape
 * numbers). Divide the dense fp32 size (`rows × cols × 4`) by it for a compression ratio.
 *
 * @example
 * ```ts
 * const packed = packWeight(dense, 768, 768, { format: 'csr' });
 * const ratio = (768 * 768 * 4) / packedByteLength(packed);
 * ```
 */
export function packedByteLength(packed: PackedWeight): number {
  let bytes = packed.values.byteLength + (packed.scales?.byteLength ?? 0);
  switch (packed.format) {
    case 'dense':
      break;
    case 'csr':
      bytes += packed.rowPointers.byteLength + packed.columnIndices.byteLength;
      break;
    case 'block':
      bytes += packed.blockRowPointers.byteLength + packed.blockColumns.byteLength;
      break;
    case 'nm':
      bytes += packed.positions.byteLength;
      break;
    case 'bitmask':
      bytes += packed.bits.byteLength + packed.rowPointers.byteLength;
      break;
  }
  return bytes;
}
