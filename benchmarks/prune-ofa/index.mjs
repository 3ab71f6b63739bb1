// @pofa/benchmarks/prune-ofa: the Prune Once for All tables, as `pofa reproduce` runs them (the code lives in @pofa/cli).
export { reproducePruneOfa as run, SCALES, PRUNE_OFA_RECIPE as RECIPE, PRUNE_OFA_STAGES as STAGES } from '@pofa/cli';
