export * from './errors/index';
export { tf, type Tensor, type Variable } from './tensor/tf';
export {
  initBackend,
  availableBackends,
  registerBackendLoader,
  BACKEND_NAMES,
  BACKEND_LOADERS_KEY,
  type BackendName,
  type BuiltinBackendName,
  type BackendLoaderSpec,
  type BackendLoaderContext,
  type InitBackendOptions,
} from './tensor/backend';
export { registerWasmKernels } from './tensor/wasm-kernels';
export { FUSED_KERNELS, hasFusedKernels, runFusedKernel, setFusedKernelsEnabled, type FusedKernelName } from './tensor/fused-kernels';
export { fakeQuantizeAffine, fakeQuantizeAffineParts, type AffineQuantization } from './tensor/fake-quantize-affine';
export { channelMinMax } from './tensor/channel-min-max';
export { createRandom, type Random, type RandomState } from './random';
export { roundHalfEven } from './round-half-even';
export { countZeros, countZerosOfDtype } from './count-zeros';
export * from './nn/index';
export * from './registry/index';
export * from './lifecycle/index';
export * from './training/index';
export { makeFolders, writeFileAtomic } from './io/atomic-write';
export {
  serializeSafetensors,
  safetensorsChunks,
  parseSafetensors,
  createTensorsFromRaw,
  SerializeSafetensorsOptionsSchema,
  type SerializeSafetensorsOptions,
  type ParsedSafetensors,
} from './io/safetensors-codec';
export { readSafetensors, readSafetensorsRaw, readSafetensorsMetadata, writeSafetensors, type WriteSafetensorsOptions } from './io/safetensors';
export {
  SAFETENSORS_DTYPES,
  SAFETENSORS_DTYPE_BYTES,
  SAFETENSORS_MAX_HEADER_BYTES,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type RawTensor,
  type SafetensorsTensorInfo,
  type SafetensorsHeader,
} from './io/safetensors-format';
export { encodeHalfArray, decodeHalfArray, float16FromNumber, float16ToNumber, bfloat16FromNumber, bfloat16ToNumber } from './io/safetensors-float16';
