export { cubicSparsity, linearSparsity, oneShotSparsity, constantSparsity, type ScheduleQuery } from './schedules/gradual-schedules';
export { gradualScheduleOptionsSchema, type GradualScheduleOptions } from './schedules/sparsity-schedule-options';
export { magnitudeMask, checkSparsity, type MagnitudeMaskOptions } from './masks/magnitude-mask';
export { globalMagnitudeMasks } from './masks/global-magnitude-masks';
export { parsePattern, checkPatternFits, sparsityPatternSchema, type SparsityPattern } from './masks/pattern';
export { ENCODER_LINEAR_WEIGHTS, POOLER_WEIGHT, matchesTarget, selectTargets, type TargetPattern, type TargetOptions } from './targets';
export { sparsityReport, formatSparsityReport, type SparsityReport, type SparsityReportRow } from './sparsity-report';
