import { beforeAll, describe, expect, it } from 'vitest';
import type { SpecificationKind, SpecificationsByKind } from '../registry/specification-kinds';
import type { DistillationLoss } from '../registry/specs/distillation-loss';
import type { ModelFamily } from '../registry/specs/model-family';
import type { PruningMethod } from '../registry/specs/pruning-method';
import type { BackendName } from '../tensor/backend';
import { runCheck, type ConformanceCheck } from './conformance-check';
import { distillationLossChecks, type DistillationLossCheckOptions } from './check-distillation-loss';
import { modelFamilyChecks, type ModelFamilyCheckOptions } from './check-model-family';
import { pruningMethodChecks, type PruningMethodCheckOptions } from './check-pruning-method';
import { checkRegistryPlugin } from './check-registry-plugin';
import { ensureBackend } from './ensure-backend';

/** What the vitest wrappers take besides the checker's settings. */
export interface ConformanceSuiteOptions {
  /** The backend to run on; the running one (or pofa's preferred one) when absent. */
  backend?: BackendName;
}

function describeChecks(title: string, checks: ConformanceCheck[], backend: BackendName | undefined): void {
  describe(title, () => {
    beforeAll(() => ensureBackend(backend));
    for (const check of checks) {
      it(check.name, () => {
        expect(runCheck(check)).toEqual([]);
      });
    }
  });
}

/**
 * Declares one vitest test per pruning-method conformance check. Call it at the top level
 * of a test file.
 *
 * @example
 * ```ts
 * // magnitude.test.ts
 * import { describePruningMethodConformance } from '@pofa/core/testing/vitest';
 * describePruningMethodConformance(magnitude, { options: { sparsity: 0.9 }, magnitude: true, backend: 'cpu' });
 * ```
 */
export function describePruningMethodConformance(method: PruningMethod, settings: PruningMethodCheckOptions & ConformanceSuiteOptions): void {
  describeChecks(`${method.name} conforms to PruningMethod v1`, pruningMethodChecks(method, settings), settings.backend);
}

/**
 * Declares one vitest test per distillation-loss conformance check.
 *
 * @example
 * ```ts
 * import { describeLossConformance } from '@pofa/core/testing/vitest';
 * describeLossConformance(mse, { options: {}, shape: [2, 5, 8], backend: 'cpu' });
 * ```
 */
export function describeLossConformance(loss: DistillationLoss, settings: DistillationLossCheckOptions & ConformanceSuiteOptions): void {
  describeChecks(`${loss.name} conforms to DistillationLoss v1`, distillationLossChecks(loss, settings), settings.backend);
}

/**
 * Declares one vitest test per model-family conformance check (what `loadPretrained` of
 * `@pofa/models` relies on when it resolves a `model_type` through the registry).
 *
 * @example
 * ```ts
 * import { describeModelFamilyConformance } from '@pofa/core/testing/vitest';
 * describeModelFamilyConformance(tiny, { config: { model_type: 'acme-tiny', hidden_size: 8 }, backend: 'cpu' });
 * ```
 */
export function describeModelFamilyConformance(family: ModelFamily, settings: ModelFamilyCheckOptions & ConformanceSuiteOptions): void {
  describeChecks(`${family.name} conforms to ModelFamily v1`, modelFamilyChecks(family, settings), settings.backend);
}

/**
 * Declares a vitest test that `spec` is a valid, registrable v1 plugin of `kind`.
 *
 * @example
 * ```ts
 * import { describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
 * describeRegistryPluginConformance('task', myTask);
 * ```
 */
export function describeRegistryPluginConformance<K extends SpecificationKind>(kind: K, spec: SpecificationsByKind[K]): void {
  describe(`${String((spec as { name?: unknown }).name)} is a valid ${kind} plugin`, () => {
    it('is a valid v1 spec that registers and is retrievable', () => {
      expect(checkRegistryPlugin(kind, spec)).toEqual([]);
    });
  });
}
