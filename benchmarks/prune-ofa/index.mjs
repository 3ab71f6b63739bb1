// @pofa/benchmarks/prune-ofa: the Prune Once for All tables (what `pofa reproduce` runs).
export { run, pruneOfaOptionsSchema } from './run.mjs';
export { SCALES, SPARSITIES, VARIANTS, FULL_SCALE } from './scales.mjs';
export { withRetention, formatPruneOfaMarkdown, pruneOfaPlots, loadPaperResults } from './report.mjs';
export { describeTeacher, findGlueTasks, GLUE_FOLDERS } from './full-scale.mjs';
