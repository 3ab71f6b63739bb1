import { roundHalfEven } from '@pofa/core';
import type { ActivationQuantization } from './types';

/** Uint8 activations with the scale and zero point of each token row. */
export interface QuantizedActivations {
  /** `[tokens, cols]`. */
  values: Uint8Array;
  /** Per token. */
  scales: Float32Array;
  /** Per token. */
  zeroPoints: Int32Array;
}

/**
 * Quantizes `[tokens, cols]` fp32 activations to uint8 the way every int8 kernel does (see
 * {@link LinearOptions.activation}): with the given calibrated range, or per token from the
 * row's range including 0. All arithmetic is fp32 (`Math.fround`) so native and portable agree.
 *
 * @example
 * ```ts
 * const { values, scales, zeroPoints } = quantizeActivations(new Float32Array([-1, 0, 2]), 1, 3);
 * // scales[0] = 3 / 255, zeroPoints[0] = 85, values = [0, 85, 255]
 * ```
 */
export function quantizeActivations(input: Float32Array, tokens: number, cols: number, fixed?: ActivationQuantization): QuantizedActivations {
  const values = new Uint8Array(tokens * cols);
  const scales = new Float32Array(tokens);
  const zeroPoints = new Int32Array(tokens);
  for (let t = 0; t < tokens; t++) {
    let scale: number;
    let zeroPoint: number;
    if (fixed !== undefined) {
      scale = Math.fround(fixed.scale);
      zeroPoint = fixed.zeroPoint;
    } else {
      let min = 0;
      let max = 0;
      for (let c = 0; c < cols; c++) {
        const x = input[t * cols + c];
        if (x < min) min = x;
        if (x > max) max = x;
      }
      const range = Math.fround(max - min);
      scale = range === 0 ? 1 : Math.fround(range / 255);
      zeroPoint = Math.max(0, Math.min(255, roundHalfEven(Math.fround(-min / scale))));
    }
    const inverse = Math.fround(1 / scale);
    for (let c = 0; c < cols; c++) {
      const q = roundHalfEven(Math.fround(input[t * cols + c] * inverse)) + zeroPoint;
      values[t * cols + c] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
    scales[t] = scale;
    zeroPoints[t] = zeroPoint;
  }
  return { values, scales, zeroPoints };
}

/**
 * The fp32 result of one int8 dot product: `fround(fround(acc − zeroPoint·rowSum) ·
 * fround(activationScale · weightScale)) + bias`, in the order every kernel uses.
 *
 * @example
 * ```ts
 * dequantizeAccumulator(1000, 128, 3, 0.01, 0.02, 0.5);
 * ```
 */
export function dequantizeAccumulator(acc: number, zeroPoint: number, rowSum: number, activationScale: number, weightScale: number, bias: number): number {
  const centred = Math.fround(acc - zeroPoint * rowSum);
  return Math.fround(Math.fround(centred * Math.fround(activationScale * weightScale)) + bias);
}
