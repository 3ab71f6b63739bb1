// @pofa/benchmarks/ofa: the once-for-all width table, as `pofa reproduce` runs it (the code lives in @pofa/cli).
export { reproduceOfa as run, ofaOptionsSchema, OFA_SCALES, formatOfaMarkdown, loadPaddleSlimResults, widthKey } from '@pofa/cli';
