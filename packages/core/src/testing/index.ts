// The checkers run anywhere; the vitest suites built on them are in `@pofa/core/testing/vitest`.
export { runChecks, runCheck, type ConformanceCheck, type ConformanceFailure } from './conformance-check';
export { checkPruningMethod, pruningMethodChecks, type PruningMethodCheckOptions } from './check-pruning-method';
export { checkDistillationLoss, distillationLossChecks, type DistillationLossCheckOptions } from './check-distillation-loss';
export { checkModelFamily, modelFamilyChecks, type ModelFamilyCheckOptions } from './check-model-family';
export { checkRegistryPlugin } from './check-registry-plugin';
export { checkFusedKernels, fusedKernelChecks, type FusedKernelCheckOptions } from './check-fused-kernels';
export { ensureBackend } from './ensure-backend';
export { leakedTensors } from './test-tensors';
