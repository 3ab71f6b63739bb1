export {
  createAdamW,
  adamWOptionsSchema,
  DEFAULT_NO_DECAY,
  type AdamW,
  type AdamWOptions,
  type AdamWConfig,
  type AdamWState,
} from './adamw';
export {
  createConstantSchedule,
  createLinearWarmupSchedule,
  effectiveLearningRate,
  constantScheduleOptionsSchema,
  linearWarmupScheduleOptionsSchema,
  type LearningRateSchedule,
  type ConstantScheduleOptions,
  type LinearWarmupScheduleOptions,
} from './lr-schedule';
export { clipGradientsByGlobalNorm, globalNormClipScale, type ClippedGradients } from './clip-gradients';
export { createDataCursor, type DataCursor, type DataCursorState } from './data-cursor';
export { createProgress, type ProgressStream, type ProgressReporter, type ProgressReporterOptions } from './progress';
export { createTrainingLog, type TrainingLog } from './training-log';
export { CHECKPOINT_FILES, listCheckpoints, type CheckpointLocation } from './checkpoint-files';
export {
  saveCheckpoint,
  loadCheckpoint,
  trainerCheckpointSchema,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type TrainerCheckpoint,
  type CheckpointSubject,
} from './checkpoint';
export {
  trainerSettingsSchema,
  type TrainerOptions,
  type TrainerSettings,
  type TrainingData,
  type TrainingLoss,
  type TrainingLossContext,
  type TrainingLossResult,
  type TrainingEvaluate,
  type ProgressOptions,
  type StepRecord,
  type EvaluationRecord,
  type TrainSummary,
} from './trainer-options';
export { createTrainer, type Trainer } from './trainer';
