// Target selection by dotted path lives in @pofa/core (quantization uses it too);
// re-exported here because pruning users reach for it first.
export { ENCODER_LINEAR_WEIGHTS, POOLER_WEIGHT, matchesTarget, selectTargets, type TargetPattern, type TargetOptions } from '@pofa/core';
