export { bertConfigSchema, createBertConfig, labelCount, type BertConfig, type BertConfigInput } from './config/bert-config';
export { distilBertConfigSchema, createDistilBertConfig, type DistilBertConfig, type DistilBertConfigInput } from './config/distilbert-config';
export { MODEL_PRESETS, presetConfig, createModelConfig, type PresetName, type ModelConfig } from './config/presets';
export { parseConfig } from './config/parse-config';
export { InputError } from './errors/input-error';
export { TASK_NAMES, type TaskName, type ModelInputs, type FeatureRequest, type ForwardOptions, type ModelOutputs, type LayerFeatures } from './features';
export { modelOptionsSchema, type ModelOptions } from './model-options';
export { ATTENTION_MASK_VALUE, additiveAttentionMask, scaledDotProductAttention } from './attention';
export { checkInputs, type InputLimits, type CheckedInputs } from './validate-inputs';
export { BertModel } from './bert/bert-model';
export { DistilBertModel } from './distilbert/distilbert-model';
export { createModel, encoderLayers, type EncoderModel } from './model';
export { TiedProjection, splitSpanLogits } from './heads/tied-projection';
export { IGNORE_INDEX, maskedLmLoss, questionAnsweringLoss, sequenceClassificationLoss } from './heads/task-losses';
export { loadPretrained, loadPretrainedOptionsSchema, type LoadPretrainedOptions, type LoadPretrainedResult } from './checkpoint/load-pretrained';
export { savePretrained, huggingFaceConfig } from './checkpoint/save-pretrained';
export { ARCHITECTURES, architectureName, resolveArchitecture, type ModelFamily, type ArchitectureInfo } from './checkpoint/architectures';
export { fromHuggingFaceNames, toHuggingFaceName } from './checkpoint/hf-names';
export { checkpointWeightFiles, readCheckpointTensors, readConfigJson, type CheckpointWeightFiles } from './checkpoint/read-checkpoint-files';
export { readCheckpointVocab } from './checkpoint/checkpoint-vocab';
export { initStudentFromTeacher, studentLayerMap, studentInitOptionsSchema, type StudentInitOptions, type StudentInitResult } from './student-init';
export {
  createWordPieceTokenizer,
  WordPieceBertTokenizer,
  trainWordPieceVocab,
  trainWordPieceVocabOptionsSchema,
  loadVocab,
  saveVocab,
  readTokenizerJson,
  wordPieceTokenizerOptionsSchema,
  encodeOptionsSchema,
  BERT_SPECIAL_TOKENS,
  DEFAULT_SPECIAL_TOKENS,
  TokenizerError,
  type BertTokenizer,
  type BertSpecialTokens,
  type TextPair,
  type EncodedInput,
  type WordPieceTokenizerOptions,
  type EncodeOptions,
  type TrainWordPieceVocabOptions,
  type TokenizerJsonContents,
} from './tokenizer/index';
export { layerStructure, type LayerStructure } from './config/layer-structure';
export { layerLinearNames, type LayerLinearNames } from './structure/layer-parameter-names';
export { pruneHeads, pruneFfnNeurons, type StructureToRemove } from './structure/prune-structure';
