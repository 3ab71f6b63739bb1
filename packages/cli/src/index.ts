// The public API of @pofa/cli: the `pofa` command, and the pipeline it runs for a programmatic
// user. Everything else in this package is internal; the primitives live in the other
// @pofa packages (tasks, models, prune, distill, quant, sparse-kernels, runtime, onnx).

// The command line.
export { runCli, EXIT_CODES } from './cli/run-cli';
export { COMMANDS } from './commands/index';
export type { Command, CommandOption, CliIo, OptionValues } from './cli/command';
export { UsageError, InterruptedError } from './errors/index';

// The Prune OFA pipeline: its stages and the paper's settings, in one place.
export { PRUNE_OFA_STAGES, PRUNE_OFA_RECIPE, PAPER_TRANSFER, transferDistillation, type PruneOfaStageName } from './pipeline/prune-ofa-recipe';
export { SCALES, FULL_SCALE, type Scale, type ScaleName } from './pipeline/scales';
export { runCompress, type CompressIo, type CompressResult } from './pipeline/compress';
export type { CompressOptions } from './pipeline/compress-options';
export { runTransfer, type TransferResult } from './pipeline/transfer';
export type { TransferOptions } from './pipeline/transfer-options';

// The paper's tables (`pofa reproduce`).
export { reproducePruneOfa, type PruneOfaOptions, type ReproduceResult } from './reproduce/prune-ofa-run';
export { reproduceOfa, type OfaOptions } from './reproduce/ofa-run';
export { OFA_SCALES } from './reproduce/ofa-scales';

// Serving (`pofa serve`) inside another Node process.
export { createServeApp, type ServeAppOptions } from './serve/serve-app';
export { loadServedModel, createModelQueue, type ServedModel } from './serve/served-model';
export { createServeMetrics } from './serve/serve-metrics';
