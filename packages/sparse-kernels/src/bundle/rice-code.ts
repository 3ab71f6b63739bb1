import { BitReader, BitWriter } from './bit-stream';
import { BundleError } from './bundle-error';

/** Largest Rice parameter the format allows. */
export const MAX_RICE_PARAMETER = 24;

/** Gaps between ascending positions: the first position, then `next - previous - 1`. */
function gapsOf(positions: Uint32Array): Float64Array {
  const gaps = new Float64Array(positions.length);
  let previous = -1;
  for (let i = 0; i < positions.length; i++) {
    gaps[i] = positions[i] - previous - 1;
    previous = positions[i];
  }
  return gaps;
}

/**
 * The Rice parameter k that codes these ascending positions in the fewest bits, and that
 * size. A gap g costs `floor(g / 2^k) + 1 + k` bits; for a random mask of density p the
 * gaps are geometric and the best k gives within a few percent of the entropy H(p) / p.
 *
 * @example
 * ```ts
 * bestRiceParameter(new Uint32Array([3, 14, 20])); // { parameter: 2, bits: ... }
 * ```
 */
export function bestRiceParameter(positions: Uint32Array): { parameter: number; bits: number } {
  const gaps = gapsOf(positions);
  let best = { parameter: 0, bits: Number.POSITIVE_INFINITY };
  for (let k = 0; k <= MAX_RICE_PARAMETER; k++) {
    const divisor = 2 ** k;
    let bits = gaps.length * (k + 1);
    for (let i = 0; i < gaps.length; i++) bits += Math.floor(gaps[i] / divisor);
    if (bits < best.bits) best = { parameter: k, bits };
  }
  return best;
}

/**
 * Rice-codes ascending positions (each gap: quotient in unary, then k remainder bits).
 *
 * @example
 * ```ts
 * const bytes = encodeRice(new Uint32Array([3, 14, 20]), 2);
 * decodeRice(bytes, 3, 2, 32); // Uint32Array [3, 14, 20]
 * ```
 */
export function encodeRice(positions: Uint32Array, parameter: number): Uint8Array {
  const gaps = gapsOf(positions);
  const writer = new BitWriter(Math.ceil((positions.length * (parameter + 2)) / 8));
  const divisor = 2 ** parameter;
  for (let i = 0; i < gaps.length; i++) {
    const quotient = Math.floor(gaps[i] / divisor);
    writer.unary(quotient);
    writer.write(gaps[i] - quotient * divisor, parameter);
  }
  return writer.finish();
}

/**
 * Decodes `count` positions coded by {@link encodeRice}; each must be below `bound` and the
 * stream must end where the positions do, else a {@link BundleError}.
 *
 * @example
 * ```ts
 * decodeRice(encodeRice(new Uint32Array([0, 5]), 1), 2, 1, 8); // Uint32Array [0, 5]
 * ```
 */
export function decodeRice(bytes: Uint8Array, count: number, parameter: number, bound: number, what = 'mask'): Uint32Array {
  if (count > bytes.length * 8) {
    throw new BundleError(`Corrupted ${what}: more positions than the stream can hold`, {
      expected: `at most ${bytes.length * 8} positions`,
      received: `${count}`,
    });
  }
  const reader = new BitReader(bytes, what);
  const positions = new Uint32Array(count);
  const divisor = 2 ** parameter;
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const quotient = reader.unary(Math.floor(bound / divisor) + 1);
    const position = previous + 1 + quotient * divisor + reader.read(parameter);
    if (position >= bound) {
      throw new BundleError(`Corrupted ${what}: a position is out of range`, {
        expected: `positions below ${bound}`,
        received: `${position} (entry ${i})`,
      });
    }
    positions[i] = position;
    previous = position;
  }
  reader.expectEnd();
  return positions;
}
