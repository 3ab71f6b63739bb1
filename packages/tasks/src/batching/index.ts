export { planBatches, epochRandom, paddedLength, truncateKeepingLast, padRows, type BatchPlanOptions } from './batch-plan';
export { encodeChecked, EncodeFunctionSchema, type Encoding, type EncodeFunction } from './encode-function';
export {
  createTextBatcher,
  labelsOf,
  TextBatcherOptionsSchema,
  type BatchableExample,
  type TextBatch,
  type TextBatcher,
  type TextBatcherOptions,
} from './text-batcher';
export {
  createMaskedLmBatcher,
  maskTokens,
  IGNORE_LABEL,
  MaskedLmBatcherOptionsSchema,
  type MaskedLmBatcher,
  type MaskedLmBatcherOptions,
  type MaskingOptions,
} from './masked-lm';
export { preEncode, type AsyncEncodeFunction, type TextToEncode } from './pre-encode';
