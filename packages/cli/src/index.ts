export { runCli, reportError, CLI_VERSION, EXIT_CODES } from './cli/run-cli';
export type { Command, CommandOption, CliIo, OptionValues } from './cli/command';
export { parseCommandLine, findCommand, numberOption, choiceOption } from './cli/parse-command-line';
export { commandHelp, programHelp } from './cli/help';
export { COMMANDS } from './commands/index';
export { compressCommand, compressOptionsFromCommandLine, printCompressResult } from './commands/compress';
export { inspectCommand } from './commands/inspect';
export { inspectSafetensors, type InspectedTensor, type InspectedSafetensors } from './commands/safetensors-stats';
export { inspectCheckpoint, type InspectedCheckpoint, type InspectedLayer } from './commands/inspect-checkpoint';
export { inspectBundle, type InspectedBundle, type InspectedBundleTensor } from './commands/inspect-bundle';
export { evalCommand, evaluateLocation, type EvalRow, type EvalOptions } from './commands/eval';
export { exportCommand, exportModel, RUN_STAGES, EXPORT_FORMATS, type ExportOptions } from './commands/export';
export { buildOnnxModel, exportOnnx, ONNX_OPSET, type OnnxExportOptions } from './onnx/export-onnx';
export { OnnxExportError } from './onnx/onnx-export-error';
export { pretrainCommand, pruneCommand, finetuneCommand, quantizeCommand } from './commands/stages';
export { benchCommand, printBenchReport } from './commands/bench';
export { reproduceCommand, reproducePlan, REPRODUCE_SCALES, REPRODUCE_BENCHMARKS, type ReproducePlan } from './commands/reproduce';
export { runBench, benchInputs, type BenchSettings, type BenchRow, type BenchReport } from './reproduce/bench-latency';
export { benchModels, modelFromBundle, describeBundle, type BenchModels, type BenchBundle } from './reproduce/bench-models';
export { reproducePruneOfa, pruneOfaOptionsSchema, backendsOf, stageSeconds, type PruneOfaOptions, type ReproduceResult } from './reproduce/prune-ofa-run';
export { reproduceOfa, ofaOptionsSchema, type OfaOptions } from './reproduce/ofa-run';
export {
  PRUNE_OFA_SCALES, PRUNE_OFA_SPARSITIES, PRUNE_OFA_VARIANTS, PRUNE_OFA_FULL_SCALE,
  type PruneOfaScale, type PaperModelSpec, type PaperModelName, type PruneOfaVariant, type StageSizes,
} from './reproduce/prune-ofa-scales';
export { OFA_SCALES, type OfaScale } from './reproduce/ofa-scales';
export { withRetention, formatPruneOfaMarkdown, pruneOfaPlots, loadPaperResults, type PruneOfaRow, type ReportedModel, type PaperResults } from './reproduce/prune-ofa-report';
export { formatOfaMarkdown, loadPaddleSlimResults, widthKey, type OfaRow, type OfaResult, type PaddleSlimResults } from './reproduce/ofa-report';
export { describeTeacher, findGlueTasks, prepareFullScale, GLUE_FOLDERS, type TeacherSpec, type FullScaleSettings } from './reproduce/full-scale';
export { lineChartSvg, type PlotSeries } from './reproduce/svg-line-plot';
export { markdownTable, fixed, type MarkdownCell } from './reproduce/markdown-table';
export { locateModel, runStageDir, isBundleFile, runModelsSchema, type ModelLocation, type RunModels } from './commands/model-source';
export { formatTable } from './cli/format-table';
export { UsageError, InterruptedError } from './errors/index';
export { runCompress, type CompressIo, type CompressResult, type StageTiming } from './pipeline/compress';
export { runTransfer, patternSummary, type TransferResult, type PatternSummary } from './pipeline/transfer';
export { transferOptionsSchema, resolveTransferSource, type TransferOptions, type TransferSettings, type TransferSource } from './pipeline/transfer-options';
export { PAPER_TRANSFER, transferDistillation, type PaperTransferSettings, type PaperStageSettings, type TransferTaskKind } from './pipeline/transfer-settings';
export { classificationTraining, type TaskTraining, type TrainingSettings, type TeacherDistillation } from './pipeline/task-training';
export { spanTraining, spanScoring } from './pipeline/span-task';
export { compressOptionsSchema, recipeModifiers, type CompressOptions, type CompressSettings } from './pipeline/compress-options';
export { SCALES, SCALE_NAMES, scaleSchema, type Scale, type ScaleName } from './pipeline/scales';
export { cacheKey, cachedArtifact, resolveCacheDir, stableStringify, readCacheInfo, type CachedArtifact } from './pipeline/cache';
export { reportRowSchema, formatReportTable, writeReportJson, type ReportRow } from './pipeline/report-table';
export { loadRunTask, TASK_CHOICES, type RunTask } from '@pofa/tasks';
export { loadSquadRunTask, loadAnyRunTask, SQUAD_FILES, type SpanRunTask, type RunTaskOptions } from '@pofa/tasks';
export { prepareSquadTokenizer } from './pipeline/squad-tokenizer';
export {
  squadTrainingData, spanTrainingLoss, spanDistillationLogits, spanDistillationTeacher, spanWindowRows, requireSpanLogits,
  type SpanBatch, type SpanWindowOptions, type SpanWindowRows,
} from './pipeline/span-training';
export { evaluateSquadModel, evaluateSquadRuntime, writeSquadPredictions, type SquadEvaluation, type SquadEvaluationOptions } from './pipeline/squad-evaluation';
export { resolveGlueFolder, emptyTaskFile, type GlueFolder } from '@pofa/tasks';
export { prepareEncoder, type PreparedEncoder, type EncodableText } from './pipeline/text-encoder';
export { PATTERNS, effectiveSparsity, defaultPruningModifiers, sparsePretrain, sparseTransfer, type PatternName } from './pipeline/sparse';
export { quantizationAwareTraining, loadQuantizedStage, bundleInt8Options, type QatResult, type QatScheme } from './pipeline/quantize';
export { evaluateModel, fileBytes } from './pipeline/measure';
export { BUNDLE_LAYOUTS, layoutOf, writeModelBundle, type BundleLayout, type WrittenBundle } from './pipeline/bundles';
export { runtimeInputs, evaluateRuntime, latencyInputs, measureRuntimeLatencies } from './pipeline/runtime';
export { measureRows, classificationScoring, type RowModels, type RowContext, type MeasuredRows, type TaskScoring, type TaskScore } from './pipeline/report-rows';
export { openRunDirectory, type RunDirectory } from './pipeline/run-directory';
export { serveCommand } from './commands/serve';
export { createServeApp, type ServeAppOptions } from './serve/serve-app';
export { createServeMetrics, type ServeMetrics } from './serve/serve-metrics';
export { createBatchQueue, type BatchQueue, type BatchQueueOptions, type BatchObserver } from './serve/batch-queue';
export { loadServedModel, createModelQueue, parseModelSpec, requestOutputs, type ServedModel } from './serve/served-model';
export { predictBodySchema, predictItems, type InputLimits, type PredictItem } from './serve/predict-schemas';
export { classificationDeployment, spanDeployment, configDeployment, runDeployment, type BundleDeployment } from './pipeline/bundle-deployment';
