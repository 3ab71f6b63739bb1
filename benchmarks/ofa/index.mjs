// @pofa/benchmarks/ofa: the once-for-all width table, as `pofa reproduce` runs it (the code lives in @pofa/cli).
export { reproduceOfa as run, OFA_SCALES as SCALES } from '@pofa/cli';
