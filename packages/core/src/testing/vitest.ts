// `@pofa/core/testing/vitest`: the conformance checkers as vitest suites. Only this entry
// imports vitest, so `@pofa/core/testing` itself loads in plain Node.
export {
  describePruningMethodConformance,
  describeLossConformance,
  describeModelFamilyConformance,
  describeRegistryPluginConformance,
  type ConformanceSuiteOptions,
} from './describe-conformance';
