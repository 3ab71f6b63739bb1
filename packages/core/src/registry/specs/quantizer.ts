import type { tf } from '../../tensor/tf';
import type { ObservedRange } from './observer';
import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/**
 * Affine quantization parameters: `q = clamp(round(x / scale) + zeroPoint, quantMin, quantMax)`.
 * Arrays hold one value per slice along `axis` (per-channel).
 */
export interface QuantizationParameters {
  readonly scale: number | number[];
  readonly zeroPoint: number | number[];
  readonly quantMin: number;
  readonly quantMax: number;
  /** The channel axis of per-channel parameters. */
  readonly axis?: number;
}

/**
 * A quantizer turns an observed range into quantization parameters and fake-quantizes
 * tensors with them (quantize then dequantize, with a straight-through gradient).
 *
 * @example
 * ```ts
 * const int8: Quantizer<{ bits: number }> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/symmetric',
 *   optionsSchema: z.object({ bits: z.number().int().min(2).max(8).default(8) }),
 *   quantParams({ min, max }, { bits }) {
 *     const quantMax = 2 ** (bits - 1) - 1;
 *     return { scale: Math.max(Math.abs(min as number), Math.abs(max as number)) / quantMax, zeroPoint: 0, quantMin: -quantMax, quantMax };
 *   },
 *   fakeQuantize: (x, params) => myFakeQuantize(x, params),
 * };
 * ```
 */
export interface Quantizer<Options = unknown> extends PluginSpecification {
  readonly optionsSchema: OptionsSchema<Options>;
  quantParams(range: ObservedRange, options: Options): QuantizationParameters;
  /** Returns `x` quantized and dequantized; its gradient passes straight through in range. */
  fakeQuantize(x: tf.Tensor, params: QuantizationParameters): tf.Tensor;
}
