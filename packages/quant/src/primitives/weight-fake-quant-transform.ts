import { parseOptions, type tf, type WeightTransform } from '@pofa/core';
import { z } from 'zod';
import { tensorMinMax } from '../observers/slice-values';
import { fakeQuantize } from './fake-quantize';
import { checkBits } from './integer-range';
import { quantParams, type QuantParams } from './quant-params';

/**
 * The kind of the transform {@link createWeightFakeQuantTransform} makes.
 *
 * @example
 * ```ts
 * parameter.findTransform(WEIGHT_FAKE_QUANT_KIND); // the fake-quantizer, if any
 * ```
 */
export const WEIGHT_FAKE_QUANT_KIND = 'quant/fake-quantize';

/**
 * Options of {@link createWeightFakeQuantTransform}.
 *
 * @example
 * ```ts
 * weightFakeQuantOptionsSchema.parse({}); // { bits: 8, symmetric: true, perChannel: true, axis: 0, narrowRange: true, signed: true }
 * ```
 */
export const weightFakeQuantOptionsSchema = z.object({
  bits: z.number().int().default(8),
  symmetric: z.boolean().default(true),
  /** One scale per output row (axis 0 of an `[out, in]` weight); per tensor when false. */
  perChannel: z.boolean().default(true),
  axis: z.number().int().min(0).default(0),
  /** One scale per group of this many rows (Q-BERT group-wise); implies per channel. */
  groupSize: z.number().int().positive().optional(),
  /** int8 weights in [-127, 127] (true) or [-128, 127]. */
  narrowRange: z.boolean().default(true),
  /** Signed integers (int8); unsigned weights cannot be exported as I8. */
  signed: z.boolean().default(true),
});

/**
 * Options of {@link createWeightFakeQuantTransform} as given.
 *
 * @example
 * ```ts
 * const options: WeightFakeQuantOptions = { bits: 8, groupSize: 64 };
 * ```
 */
export type WeightFakeQuantOptions = z.input<typeof weightFakeQuantOptionsSchema>;

/**
 * A weight transform that fake-quantizes; `params()` returns what its last `apply` used.
 *
 * @example
 * ```ts
 * const transform: WeightFakeQuantTransform = createWeightFakeQuantTransform();
 * linear.weight.addTransform(transform);
 * tf.tidy(() => linear.weight.value());
 * console.log(transform.params()?.scale);
 * ```
 */
export interface WeightFakeQuantTransform extends WeightTransform {
  readonly options: z.output<typeof weightFakeQuantOptionsSchema>;
  /** The parameters of the last `apply`, or undefined before the first. */
  params(): QuantParams | undefined;
  /** Computes (and remembers) the parameters for this weight without quantizing it. */
  computeParams(weight: tf.Tensor): QuantParams;
}

/**
 * A core `WeightTransform` (kind `quant/fake-quantize`) that fake-quantizes a weight with a
 * straight-through gradient. Each call recomputes the range from the incoming weight — the
 * output of the transforms before it, so a mask has already zeroed pruned weights — because
 * weights change during quantization-aware training. Zeros stay exactly zero: zero is always
 * representable (the zero point is 0 for symmetric schemes).
 *
 * @example
 * ```ts
 * linear.weight.addTransform(createMaskTransform(mask));
 * linear.weight.addTransform(createWeightFakeQuantTransform({ bits: 8, perChannel: true }));
 * const effective = linear.weight.value(); // masked, then fake-quantized per output row
 * ```
 */
export function createWeightFakeQuantTransform(options: WeightFakeQuantOptions = {}): WeightFakeQuantTransform {
  if (options.bits !== undefined) checkBits(options.bits);
  const settings = parseOptions(weightFakeQuantOptionsSchema, options, 'weight fake-quant options', { rejectUnknownKeys: true });
  const perSlice = settings.perChannel || settings.groupSize !== undefined;
  let last: QuantParams | undefined;
  const computeParams = (weight: tf.Tensor): QuantParams => {
    const { min, max } = tensorMinMax(weight, perSlice ? settings.axis : undefined, settings.groupSize ?? 1);
    last = quantParams({
      min: perSlice ? min : min[0],
      max: perSlice ? max : max[0],
      bits: settings.bits,
      symmetric: settings.symmetric,
      signed: settings.signed,
      narrowRange: settings.narrowRange,
      ...(perSlice ? { axis: settings.axis } : {}),
      ...(settings.groupSize === undefined ? {} : { groupSize: settings.groupSize }),
    });
    return last;
  };
  return {
    kind: WEIGHT_FAKE_QUANT_KIND,
    options: settings,
    params: () => last,
    computeParams,
    apply: (weight) => fakeQuantize(weight, computeParams(weight)),
  };
}
