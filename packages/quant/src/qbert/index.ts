export { estimateHessianTraces, hessianTraceOptionsSchema, type HessianTraceOptions, type HessianTraceEstimate } from './hessian-trace';
export {
  allocateBits,
  omegaOf,
  quantizedBytes,
  bitAllocationOptionsSchema,
  type BitAllocationOptions,
  type BitAllocation,
  type LayerAllocation,
  type LayerSensitivity,
} from './bit-allocation';
export {
  applyGroupWiseQuantization,
  groupSizeFor,
  groupWiseTransform,
  groupWiseOptionsSchema,
  type GroupWiseOptions,
  type GroupWiseLayer,
  type GroupWiseQuantization,
} from './group-wise';
export {
  planMixedPrecision,
  applyMixedPrecision,
  quantizationPerturbation,
  mixedPrecisionOptionsSchema,
  type MixedPrecisionOptions,
  type MixedPrecisionLayer,
  type MixedPrecisionReport,
} from './mixed-precision';
export { formatMixedPrecisionReport } from './mixed-precision-report';
