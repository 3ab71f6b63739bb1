import type { tf } from '../../tensor/tf';
import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/** A range of values seen: numbers per tensor, arrays per channel. */
export interface ObservedRange {
  readonly min: number | number[];
  readonly max: number | number[];
}

/** One running observer, created per tensor that is quantized. */
export interface ObserverInstance {
  /** Records the range of `x` (does not keep or dispose `x`). Ignored once frozen. */
  observe(x: tf.Tensor): void;
  /** The range to quantize with, from what was observed so far. */
  range(): ObservedRange;
  /** Stops updating the range (end of calibration, or a QAT step that freezes observers). */
  freeze(): void;
  readonly frozen: boolean;
}

/**
 * An observer tracks the range of a tensor during calibration or quantization-aware training
 * (min-max, moving average, percentile, MSE...).
 *
 * @example
 * ```ts
 * const minMax: Observer<Record<string, never>> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/min-max',
 *   optionsSchema: z.object({}),
 *   create() {
 *     let min = Infinity, max = -Infinity, frozen = false;
 *     return {
 *       observe(x) { if (frozen) return; min = Math.min(min, tf.min(x).dataSync()[0]); max = Math.max(max, tf.max(x).dataSync()[0]); },
 *       range: () => ({ min, max }),
 *       freeze() { frozen = true; },
 *       get frozen() { return frozen; },
 *     };
 *   },
 * };
 * ```
 */
export interface Observer<Options = unknown> extends PluginSpecification {
  readonly optionsSchema: OptionsSchema<Options>;
  create(options: Options): ObserverInstance;
}
