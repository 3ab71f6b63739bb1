export { fakeQuantize, fakeQuantizeMask } from './fake-quantize';
export type { FakeQuantizeOptions, ResolvedParameters } from './resolve-parameters';
export { quantParams, quantParamsOptionsSchema, MIN_SCALE, type QuantParams, type QuantParamsOptions } from './quant-params';
export { integerRange, checkBits, checkQuantRange, MIN_BITS, MAX_BITS, type IntegerRangeOptions } from './integer-range';
export { inverseScale, quantizeValue, dequantizeValue } from './scalar-quantize';
export {
  createWeightFakeQuantTransform,
  weightFakeQuantOptionsSchema,
  WEIGHT_FAKE_QUANT_KIND,
  type WeightFakeQuantOptions,
  type WeightFakeQuantTransform,
} from './weight-fake-quant-transform';
