export { runChecks, runCheck, type ConformanceCheck, type ConformanceFailure } from './conformance-check';
export { checkPruningMethod, pruningMethodChecks, type PruningMethodCheckOptions } from './check-pruning-method';
export { checkDistillationLoss, distillationLossChecks, type DistillationLossCheckOptions } from './check-distillation-loss';
export { checkRegistryPlugin } from './check-registry-plugin';
export {
  describePruningMethodConformance,
  describeLossConformance,
  describeRegistryPluginConformance,
  type ConformanceSuiteOptions,
} from './describe-conformance';
export { ensureBackend } from './ensure-backend';
export { leakedTensors } from './test-tensors';
