import { parseOptions, type ActivationTransform, type tf } from '@pofa/core';
import { z } from 'zod';
import { createObserver, type QuantObserver } from '../observers/create-observer';
import { OBSERVER_KINDS } from '../observers/observer-options';
import { fakeQuantize } from '../primitives/fake-quantize';
import { checkBits } from '../primitives/integer-range';
import { quantParams, type QuantParams } from '../primitives/quant-params';

/**
 * The kind of the activation transform {@link createInputFakeQuantTransform} makes.
 *
 * @example
 * ```ts
 * linear.removeInputTransform(INPUT_FAKE_QUANT_KIND);
 * ```
 */
export const INPUT_FAKE_QUANT_KIND = 'quant/fake-quantize-input';

/**
 * Options of {@link createInputFakeQuantTransform}: the scheme of a Linear layer's input
 * (uint8 asymmetric by default, as Q8BERT and the Prune OFA code) and its observer.
 *
 * @example
 * ```ts
 * inputFakeQuantOptionsSchema.parse({}); // { bits: 8, symmetric: false, observer: 'ema', averagingConstant: 0.01, ... }
 * ```
 */
export const inputFakeQuantOptionsSchema = z
  .object({
    bits: z.number().int().default(8),
    symmetric: z.boolean().default(false),
    observer: z.enum(OBSERVER_KINDS).default('ema'),
    /** EMA weight of the newest batch. */
    averagingConstant: z.number().gt(0).max(1).default(0.01),
    /** Percentile observer: the range is [percentile(100 − p), percentile(p)]. */
    percentile: z.number().gt(50).max(100).default(99.99),
  })
  .strict();

/**
 * Options of {@link createInputFakeQuantTransform}, as the caller writes them.
 *
 * @example
 * ```ts
 * const options: InputFakeQuantOptions = { observer: 'percentile', percentile: 99.9 };
 * ```
 */
export type InputFakeQuantOptions = z.input<typeof inputFakeQuantOptionsSchema>;

/**
 * What the transform does with an input: `qat` observes in training until frozen and
 * fake-quantizes whenever a range exists; `calibrate` observes every input (any mode) and passes
 * it through unchanged.
 */
export type InputFakeQuantMode = 'qat' | 'calibrate';

/**
 * An input fake-quantizer of a Linear layer, with its observer.
 *
 * @example
 * ```ts
 * const input: InputFakeQuantTransform = createInputFakeQuantTransform();
 * linear.addInputTransform(input);
 * input.freeze();
 * ```
 */
export interface InputFakeQuantTransform extends ActivationTransform {
  readonly observer: QuantObserver;
  readonly options: z.output<typeof inputFakeQuantOptionsSchema>;
  mode: InputFakeQuantMode;
  /** Stops updating the range. */
  freeze(): void;
  readonly frozen: boolean;
  /** The quantization parameters of the current range, or undefined before any observation. */
  params(): QuantParams | undefined;
}

/**
 * Fake quantization of a Linear layer's input for quantization-aware training and
 * post-training quantization. In `qat` mode it feeds the observer only in training and before
 * `freeze()`, and in eval (or once frozen) quantizes with the range observed so far; before any
 * observation it passes the input through. The gradient is straight-through within the range.
 *
 * @example
 * ```ts
 * const input = createInputFakeQuantTransform({ bits: 8, symmetric: false, observer: 'ema' });
 * linear.addInputTransform(input);
 * model.train(); linear.forward(x); // observes x, then fake-quantizes it
 * model.eval();  linear.forward(x); // fake-quantizes with the observed range only
 * ```
 */
export function createInputFakeQuantTransform(options: InputFakeQuantOptions = {}): InputFakeQuantTransform {
  if (options.bits !== undefined) checkBits(options.bits);
  const settings = parseOptions(inputFakeQuantOptionsSchema, options, 'input fake-quant options', { rejectUnknownKeys: true });
  const observer = createObserver({
    kind: settings.observer,
    averagingConstant: settings.averagingConstant,
    percentile: settings.percentile,
    bits: settings.bits,
    symmetric: settings.symmetric,
  });
  const params = (): QuantParams | undefined => {
    if (observer.count === 0) return undefined;
    const { min, max } = observer.range();
    return quantParams({ min, max, bits: settings.bits, symmetric: settings.symmetric });
  };
  const transform: InputFakeQuantTransform = {
    kind: INPUT_FAKE_QUANT_KIND,
    observer,
    options: settings,
    mode: 'qat',
    freeze: () => observer.freeze(),
    get frozen() {
      return observer.frozen;
    },
    params,
    apply(input: tf.Tensor, context: { training: boolean }): tf.Tensor {
      if (transform.mode === 'calibrate') {
        observer.observe(input);
        return input;
      }
      if (context.training && !observer.frozen) observer.observe(input);
      const current = params();
      return current === undefined ? input : fakeQuantize(input, current);
    },
  };
  return transform;
}
