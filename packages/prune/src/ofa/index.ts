export { DEFAULT_WIDTH_MULTIPLIERS, widthSchema, resolveWidth, roundHalfEven, type Width, type LayerShape, type ResolvedWidth } from './width';
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
