export { kdCrossEntropy, type KdCrossEntropyOptions } from './losses/kd-cross-entropy';
export { kdKlDivergence, type KdKlDivergenceOptions } from './losses/kd-kl-divergence';
export { logitsMse, type LogitsMseOptions } from './losses/logits-mse';
export { hiddenMse, type HiddenMseOptions } from './losses/hidden-mse';
export { attentionMse, MASKED_SCORE_THRESHOLD, type AttentionMseOptions } from './losses/attention-mse';
export { attentionKl, ATTENTION_KL_EPSILON, type AttentionKlOptions } from './losses/attention-kl';
export { cosineEmbeddingLoss, COSINE_EPSILON_SQUARED, type CosineEmbeddingLossOptions } from './losses/cosine-embedding-loss';
export { pkdLoss, PKD_EPSILON_SQUARED } from './losses/pkd-loss';
export { valueRelationKl, type ValueRelationKlOptions } from './losses/value-relation-kl';
export { temperatureOptionsSchema, noOptionsSchema, type MaskOption } from './losses/loss-options';
export {
  kdCrossEntropySpecification,
  kdKlDivergenceSpecification,
  logitsMseSpecification,
  hiddenMseSpecification,
  attentionMseSpecification,
  attentionKlSpecification,
  cosineEmbeddingLossSpecification,
  pkdLossSpecification,
  valueRelationKlSpecification,
  DISTILLATION_LOSSES,
  registerLosses,
} from './losses/loss-specifications';
export { createProjection, Projection, projectionOptionsSchema, type ProjectionActivation, type ProjectionOptions } from './projection/create-projection';
export { mapLayers, layerMappingSchema, type LayerMapping, type LayerPair } from './layer-mapping/map-layers';
export { scheduledValueSchema, valueAt, type ScheduledValue } from './modifier/scheduled-value';
export {
  distillationConfigSchema,
  intermediateMatchSchema,
  DISTILLATION_FEATURES,
  type DistillationConfig,
  type DistillationConfigInput,
  type DistillationFeature,
  type IntermediateMatch,
} from './modifier/distillation-config';
export { featureRequest, selectFeature, type DistillationFeatures, type FeatureRequest } from './modifier/distillation-features';
export { distillationObjective, resolveLoss, createMatchProjections, type DistillationObjectiveInputs } from './modifier/distillation-objective';
export {
  createDistillationModifier,
  type DistillationModifier,
  type DistillationModifierOptions,
  type DistillationTeacher,
} from './modifier/create-distillation-modifier';
export { distillationPreset, DISTILLATION_PRESET_NAMES, type DistillationPresetName, type PresetShape } from './modifier/distillation-presets';
