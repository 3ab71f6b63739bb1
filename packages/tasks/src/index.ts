export { DataFormatError, MetricInputError } from './errors/index';
export {
  accuracy,
  f1Score,
  F1ScoreOptionsSchema,
  type F1ScoreOptions,
  matthewsCorrelation,
  pearsonCorrelation,
  spearmanCorrelation,
  averageRanks,
  normalizeSquadAnswer,
  squadExactMatch,
  squadF1,
  squadScores,
  type SquadScores,
  type SquadScoredQuestion,
  glueScore,
  GLUE_METRICS,
  type GlueScore,
  type GlueMetricName,
} from './metrics/index';
export {
  loadGlueTask,
  resolveGlueTaskName,
  LoadGlueOptionsSchema,
  type LoadGlueOptions,
  type GlueSplit,
  type DatasetExample,
  GLUE_LAYOUTS,
  type GlueLayout,
  type GlueSplitLayout,
  type GlueColumn,
  GLUE_TASK_NAMES,
  GlueTaskNameSchema,
  type GlueTaskName,
  readTsvLines,
  splitTsv,
  type TsvLine,
  loadSquad,
  parseSquad,
  type SquadDataset,
  type SquadExample,
  createSquadFeatures,
  SquadFeatureOptionsSchema,
  type SquadFeature,
  type SquadFeatureOptions,
  postprocessSquad,
  bestSquadSpans,
  type SquadSpan,
  SquadPostprocessOptionsSchema,
  type SquadPostprocessOptions,
  type SquadPostprocessFeature,
  type TokenizerLike,
  type TokenizedText,
  loadUserData,
  LoadUserDataOptionsSchema,
  type LoadUserDataOptions,
  type UserData,
} from './formats/index';
export { GLUE_TASKS, registerGlueTasks, type GlueTaskSpecification } from './glue-tasks';
export * from './embedded/index';
export * from './batching/index';
export {
  evaluate,
  EvaluateOptionsSchema,
  type EvaluateOptions,
  type EvaluationResult,
  type EvaluationModel,
  type EvaluableTask,
} from './evaluate';
export { EVALUATION_METRICS, computeMetrics } from './evaluate-metrics';
export {
  EMBEDDED_TASK_SPECIFICATIONS,
  registerEmbeddedTasks,
  type TaskSpecification,
  type TaskHead,
  type EmbeddedTaskName,
  type TaskRegistryLike,
} from './task-spec';
export { SQUAD_TASK, registerSquadTask } from './squad-task';
export * from './run-task/index';
export { textBaseline, fitTfidf, textTerms, fitLogisticRegression, logisticProbabilities, fitRidge, ridgePredictions, lbfgs, type BaselineResult, type SparseRows, type TfidfVectorizer, type LogisticRegressionModel, type RidgeModel } from './baseline/index';
