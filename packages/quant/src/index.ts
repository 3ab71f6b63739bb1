export { QuantizationError } from './errors/quantization-error';

// Fake quantization, quantization parameters, the weight fake-quant transform
export { fakeQuantize, fakeQuantizeMask } from './primitives/fake-quantize';
export type { FakeQuantizeOptions, ResolvedParameters } from './primitives/resolve-parameters';
export { quantParams, quantParamsOptionsSchema, MIN_SCALE, type QuantParams, type QuantParamsOptions } from './primitives/quant-params';
export { integerRange, checkBits, checkQuantRange, MIN_BITS, MAX_BITS, type IntegerRangeOptions } from './primitives/integer-range';
export { inverseScale, quantizeValue, dequantizeValue } from './primitives/scalar-quantize';
/** Re-exported from `@pofa/core` (the one copy). */
export { roundHalfEven } from '@pofa/core';
export {
  createWeightFakeQuantTransform,
  weightFakeQuantOptionsSchema,
  WEIGHT_FAKE_QUANT_KIND,
  type WeightFakeQuantOptions,
  type WeightFakeQuantTransform,
} from './primitives/weight-fake-quant-transform';

// Observers
export { createObserver, type QuantObserver, type ObserverState, type ObservedRange } from './observers/create-observer';
export { observerOptionsSchema, OBSERVER_KINDS, type ObserverKind, type ObserverOptions } from './observers/observer-options';
export { percentileOfSorted, percentileRange } from './observers/percentile';
export { mseRange, quantizationError, type MseScheme } from './observers/mse-search';
export { sliceValues, sliceMinMax } from './observers/slice-values';

// Export: int8 and half precision
export { exportInt8, writeInt8Safetensors, exportInt8OptionsSchema, type ExportInt8Options, type SafetensorsExport } from './export/export-int8';
export { dequantizeInt8 } from './export/dequantize-int8';
export { exportHalf } from './export/export-half';
export { quantizeParameter, type QuantizedWeight } from './export/quantized-weight';
export { effectiveValues } from '@pofa/core';
export { INT8_FORMAT, INT8_SUFFIXES } from './export/int8-names';
export * from './qat/index';
export * from './calibration/index';
export * from './qbert/index';
