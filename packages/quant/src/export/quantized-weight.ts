import { type Parameter, tf } from '@pofa/core';
import { QuantizationError } from '../errors/quantization-error';
import { createWeightFakeQuantTransform, WEIGHT_FAKE_QUANT_KIND, type WeightFakeQuantTransform } from '../primitives/weight-fake-quant-transform';
import { resolveParameters, type ResolvedParameters } from '../primitives/resolve-parameters';
import type { QuantParams } from '../primitives/quant-params';
import { quantizeValue } from '../primitives/scalar-quantize';

/**
 * An integer weight and the parameters that map it back to real values.
 *
 * @example
 * ```ts
 * const { values, resolved }: QuantizedWeight = quantizeParameter('dense.weight', parameter, true);
 * ```
 */
export interface QuantizedWeight {
  shape: number[];
  /** The integers, row-major. */
  values: Int32Array;
  params: QuantParams;
  /** The parameters as float32 arrays, one entry per slice along the axis (groups expanded). */
  resolved: ResolvedParameters;
}

function isFakeQuantTransform(transform: unknown): transform is WeightFakeQuantTransform {
  return typeof transform === 'object' && transform !== null && typeof (transform as WeightFakeQuantTransform).computeParams === 'function';
}

/**
 * Quantizes a parameter's effective weight to integers: every transform up to its weight
 * fake-quantizer (a mask, for one) is applied, then the integers are computed with the
 * fake-quantizer's own parameters — or, without one, per-channel (axis 0) or per-tensor
 * symmetric narrow int8 — exactly as {@link fakeQuantize} computes them in float32, so
 * `(q − zeroPoint) · scale` is the fake-quantized effective weight bit for bit.
 *
 * @example
 * ```ts
 * const { values, params } = quantizeParameter('classifier.weight', parameter, true);
 * ```
 */
export function quantizeParameter(name: string, parameter: Parameter, perChannel: boolean): QuantizedWeight {
  const chain = parameter.transforms;
  const index = chain.findIndex((transform) => transform.kind === WEIGHT_FAKE_QUANT_KIND);
  if (index >= 0 && index !== chain.length - 1) {
    throw new QuantizationError(`The fake-quantizer of ${name} is not its last weight transform`, {
      expected: `${WEIGHT_FAKE_QUANT_KIND} last in the chain`,
      received: chain.map((transform) => transform.kind).join(' → '),
      hint: 'Add the fake-quantizer after the mask, or squash the other transforms first',
    });
  }
  const found = index >= 0 ? chain[index] : undefined;
  if (found !== undefined && !isFakeQuantTransform(found)) {
    throw new QuantizationError(`The ${WEIGHT_FAKE_QUANT_KIND} transform of ${name} does not expose computeParams()`, {
      expected: 'a transform made by createWeightFakeQuantTransform',
      received: 'another object of that kind',
    });
  }
  const transform = found ?? createWeightFakeQuantTransform({ perChannel });
  const before = index >= 0 ? chain.slice(0, index) : chain;
  const weight = tf.tidy(() => before.reduce((current: tf.Tensor, step) => step.apply(current), parameter.variable));
  try {
    const params = transform.computeParams(weight);
    const resolved = resolveParameters(weight.shape, params);
    const data = weight.dataSync() as Float32Array;
    const inner = resolved.axis === undefined ? data.length : weight.shape.slice(resolved.axis + 1).reduce((product, size) => product * size, 1);
    const channels = resolved.scales.length;
    const values = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const slice = resolved.axis === undefined ? 0 : Math.floor(i / inner) % channels;
      values[i] = quantizeValue(data[i], resolved.inverseScales[slice], resolved.zeroPoints[slice], resolved.quantMin, resolved.quantMax);
    }
    return { shape: [...weight.shape], values, params, resolved };
  } finally {
    if (weight !== parameter.variable) weight.dispose();
  }
}
