// @pofa/benchmarks/prune-ofa: the Prune Once for All tables, as `pofa reproduce` runs them (the code lives in @pofa/cli).
export {
  reproducePruneOfa as run,
  pruneOfaOptionsSchema,
  PRUNE_OFA_SCALES as SCALES,
  PRUNE_OFA_SPARSITIES as SPARSITIES,
  PRUNE_OFA_VARIANTS as VARIANTS,
  PRUNE_OFA_FULL_SCALE as FULL_SCALE,
  withRetention,
  formatPruneOfaMarkdown,
  pruneOfaPlots,
  loadPaperResults,
  describeTeacher,
  findGlueTasks,
  GLUE_FOLDERS,
} from '@pofa/cli';
