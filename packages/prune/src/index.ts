export { cubicSparsity, linearSparsity, oneShotSparsity, constantSparsity, type ScheduleQuery } from './schedules/gradual-schedules';
export { gradualScheduleOptionsSchema, type GradualScheduleOptions } from './schedules/sparsity-schedule-options';
export { magnitudeMask, checkSparsity, type MagnitudeMaskOptions } from './masks/magnitude-mask';
export { globalMagnitudeMasks } from './masks/global-magnitude-masks';
export { parsePattern, checkPatternFits, sparsityPatternSchema, type SparsityPattern } from './masks/pattern';
export { ENCODER_LINEAR_WEIGHTS, POOLER_WEIGHT, matchesTarget, selectTargets, type TargetPattern, type TargetOptions } from './targets';
export { sparsityReport, encoderSparsity, formatSparsityReport, type SparsityReport, type SparsityReportRow } from './sparsity-report';
export { createGradualPruningModifier, type GradualPruningModifier, type GradualPruningContext } from './modifiers/gradual-pruning-modifier';
export {
  gradualPruningOptionsSchema,
  resolveGradualPruningOptions,
  type GradualPruningOptions,
  type ResolvedGradualPruningOptions,
} from './modifiers/gradual-pruning-options';
export { rewoundLinearMultiplier, rewindFactor, type LearningRateRewindWindow } from './modifiers/learning-rate-rewind';
export { createPatternLockModifier, patternLockOptionsSchema, type PatternLockOptions, type PatternLockModifier } from './modifiers/pattern-lock-modifier';
export { attachMasks, type MaskedTarget } from './modifiers/attach-masks';
export { targetOptionsSchema, type TargetSelection } from './modifiers/target-options';
export {
  computeStructureImportance,
  computeHeadImportance,
  computeNeuronImportance,
  magnitudeStructureImportance,
  type StructureImportance,
  type CalibrationLoss,
} from './structured/structure-importance';
export { structuredMasks, type StructuredKeep, type StructuredMaskResult } from './structured/structured-masks';
export { removeMaskedStructure } from './structured/remove-masked-structure';
export {
  createStructuredPruningModifier,
  structuredPruningOptionsSchema,
  type StructuredPruningOptions,
  type StructuredPruningModifier,
} from './structured/structured-pruning-modifier';
export { magnitudePruning, createMagnitudePruning, SPARSITY_SCHEDULES, PRUNING_MODIFIERS, registerPruning, type MagnitudePruningOptions } from './plugins';
