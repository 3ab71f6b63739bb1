// @pofa/benchmarks/ofa: the once-for-all width table (what `pofa reproduce` runs).
export { run, ofaOptionsSchema } from './run.mjs';
export { OFA_SCALES } from './scales.mjs';
export { formatOfaMarkdown, loadPaddleSlimResults, widthKey } from './report.mjs';
