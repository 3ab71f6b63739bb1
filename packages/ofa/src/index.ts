export { DEFAULT_WIDTH_MULTIPLIERS, widthSchema, resolveWidth, type Width, type LayerShape, type ResolvedWidth } from './width';
/** Re-exported from `@pofa/core` (the one copy). */
export { roundHalfEven } from '@pofa/core';
export { supernetShape, supernetLayers, type SupernetShape, type SupernetLayer } from './supernet-layers';
export {
  computeImportance,
  classificationLoss,
  modelInputs,
  type ImportanceLoss,
  type ImportanceOptions,
  type LabelledInputs,
} from './importance';
export { importanceOrder, permuteStructure, reorderByImportance, type StructureOrder } from './reorder';
export { ELASTIC_WIDTH_TRANSFORM_KIND, setActiveWidth, activeWidth, removeElasticWidth } from './elastic-width';
export { createFrozenTeacher, cloneAtFullWidth, fullWidthValue } from './clone-model';
export { exportSubModel } from './export-submodel';
export { supernetDistillationLoss, supernetLossOptionsSchema, parseSupernetLossOptions, type SupernetLossOptions } from './supernet-loss';
export {
  createSupernetLoss,
  trainSupernet,
  supernetTrainingOptionsSchema,
  type SupernetTrainingOptions,
  type TrainSupernetOptions,
} from './train-supernet';
