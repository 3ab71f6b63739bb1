export {
  PACKED_FORMATS,
  type PackedFormat,
  type WeightDtype,
  type PackedWeight,
  type DenseWeight,
  type CsrWeight,
  type BlockWeight,
  type NmWeight,
  type BitmaskWeight,
} from './formats/packed-weight';
export { packWeight, PackWeightOptionsSchema, type PackWeightOptions } from './formats/pack-weight';
export { unpackWeight } from './formats/unpack-weight';
export { quantizeWeightInt8, QuantizeWeightOptionsSchema, type QuantizeWeightOptions } from './formats/quantize-weight';
export { packedByteLength } from './formats/packed-byte-length';
export { concatRows } from './formats/concat-rows';
/** Re-exported from `@pofa/core` (the one copy). */
export { roundHalfEven } from '@pofa/core';
export type { Kernels, KernelIsa, LinearOptions, FeedForwardOptions, AttentionOptions, ActivationQuantization } from './kernels/types';
export { loadKernels, LoadKernelsOptionsSchema, type LoadKernelsOptions } from './kernels/load-kernels';
export { waitForIdleThreads, type IdleWaitOptions, type IdleWait } from './kernels/wait-for-idle-threads';
export { NativeAddonError } from './kernels/native-addon-error';
export { createPortableKernels } from './kernels/portable-kernels';
export { referenceKernels } from './kernels/reference';
export { quantizeActivations, dequantizeAccumulator, type QuantizedActivations } from './kernels/quantize-activations';
export { sparseMatMul, SPARSE_MAT_MUL, createSparseMatMulKernels, registerSparseMatMulKernels, type SparseMatMulAttributes, type SparseMatMulKernel } from './sparse-mat-mul-op/index';
export { BundleError } from './bundle/bundle-error';
export { writeBundle, serializeBundle } from './bundle/write-bundle';
export { readBundle, parseBundle } from './bundle/read-bundle';
export { exportBundle, encoderConfigOf, exportBundleOptionsSchema, type ExportBundleOptions, type ExportableModel } from './bundle/export-bundle';
export { compressionReport, type CompressionReport } from './bundle/compression-report';
export { encoderConfigSchema, type EncoderConfig } from './bundle/encoder-config';
export { encoderTensorShapes, layerTensorNames, type LayerTensorNames } from './bundle/encoder-tensors';
export { isPackedWeight, type Bundle, type BundleContents, type BundleTensor, type DenseTensor } from './bundle/bundle-types';
export {
  bundleTokenizerSchema,
  bundleTaskSchema,
  taskMismatch,
  type BundleTokenizer,
  type BundleTask,
  type BundleTaskKind,
} from './bundle/bundle-deployment';
export { BUNDLE_MAGIC, BUNDLE_VERSION, READABLE_BUNDLE_VERSIONS, bundleHeaderSchema, type BundleHeader, type BundleQuantization, type TensorEntry } from './bundle/bundle-header';
export { loadBundle, createEncoderRuntime, loadBundleOptionsSchema, type LoadBundleOptions, type EncoderRuntime } from './runtime/load-bundle';
export type { EncoderOutputs } from './runtime/encoder-forward';
export type { EncoderInputs, TokenMatrix } from './runtime/runtime-inputs';
export { RuntimeInputError } from './runtime/runtime-input-error';
export { registerPofaNativeBackend, POFA_NATIVE_BACKEND, POFA_NATIVE_PRIORITY, POFA_NATIVE_KERNEL_NAMES } from './native-training-backend/index';
