import type { Module } from '../nn/module';
import type { ModelFamily } from '../registry/specs/model-family';
import { specificationProblems } from '../registry/validate-specification';
import { tf } from '../tensor/tf';
import { runChecks, type ConformanceCheck, type ConformanceFailure } from './conformance-check';
import { distinctMagnitudes, tensorOf } from './test-tensors';

/** Settings of {@link checkModelFamily}. */
export interface ModelFamilyCheckOptions {
  /** A `config.json` object of the family (small: the checks build the model a few times). */
  config: Record<string, unknown>;
  /** Seeds the weights loaded into the model (default 5). */
  seed?: number;
}

const MODULE_METHODS = ['namedParameters', 'stateDict', 'loadStateDict', 'eval', 'dispose'] as const;

function moduleProblems(model: unknown): string[] {
  if (typeof model !== 'object' || model === null) return [`create() returned ${model === null ? 'null' : typeof model}, not a Module`];
  const missing = MODULE_METHODS.filter((method) => typeof (model as Record<string, unknown>)[method] !== 'function');
  return missing.length === 0 ? [] : [`create() returned an object without ${missing.join(', ')}: extend Module from @pofa/core`];
}

/**
 * The conformance checks of a {@link ModelFamily}: what `loadPretrained(dir, { registry })`
 * relies on. The spec is valid; `configSchema` parses `config` and `create` returns a Module
 * whose parameters have unique dotted names; a state dict of those names loads into it exactly
 * (the checkpoint path); and creating then disposing a model leaks no tensor.
 *
 * @example
 * ```ts
 * const checks = modelFamilyChecks(tiny, { config: { model_type: 'acme-tiny', hidden_size: 8 } });
 * console.log(checks.map((check) => check.name));
 * ```
 */
export function modelFamilyChecks(family: ModelFamily, settings: ModelFamilyCheckOptions): ConformanceCheck[] {
  const seed = settings.seed ?? 5;
  const parsed = (): unknown => family.configSchema.parse(settings.config);
  /** Builds a model, runs `use`, and disposes the model whatever happens. */
  const withModel = (use: (model: Module) => string[]): string[] => {
    const model = family.create(parsed());
    const problems = moduleProblems(model);
    if (problems.length > 0) return problems;
    try {
      return use(model);
    } finally {
      model.dispose();
    }
  };

  return [
    { name: 'is a valid v1 model-family spec', run: () => specificationProblems('model-family', family) },
    {
      name: 'configSchema parses the sample config.json',
      run: () => {
        const result = family.configSchema.safeParse(settings.config);
        return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      },
    },
    {
      name: 'create() returns a Module with uniquely named parameters',
      run: () =>
        withModel((model) => {
          const names = model.namedParameters().map(([name]) => name);
          if (names.length === 0) return ['the model has no parameters: a checkpoint would have nothing to load'];
          const repeated = names.filter((name, index) => names.indexOf(name) !== index);
          return repeated.length === 0 ? [] : [`parameter names repeat: ${[...new Set(repeated)].join(', ')}`];
        }),
    },
    {
      name: 'a state dict of its parameter names loads exactly',
      run: () =>
        withModel((model) => {
          const state = Object.fromEntries(
            model.namedParameters().map(([name, parameter], index) => [name, tensorOf(distinctMagnitudes(parameter.size, seed + index), parameter.shape)]),
          );
          try {
            model.loadStateDict(state);
            const loaded = model.stateDict();
            return Object.entries(state).flatMap(([name, expected]) =>
              tf.util.arraysEqual(Array.from(loaded[name].dataSync()), Array.from(expected.dataSync())) ? [] : [`${name} holds other values after loadStateDict`],
            );
          } finally {
            tf.dispose(Object.values(state));
          }
        }),
    },
    {
      name: 'creating and disposing a model leaks no tensors',
      run: () => {
        const before = tf.memory().numTensors;
        const problems = withModel(() => []);
        if (problems.length > 0) return problems;
        const leaked = tf.memory().numTensors - before;
        return leaked === 0 ? [] : [`${leaked} tensors left after create() then dispose(): register every weight as a parameter or dispose it`];
      },
    },
  ];
}

/**
 * Runs {@link modelFamilyChecks} and returns the failures (empty when the family conforms).
 * Needs an initialised backend.
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'cpu' });
 * console.log(checkModelFamily(tiny, { config: { model_type: 'acme-tiny', hidden_size: 8 } })); // []
 * ```
 */
export function checkModelFamily(family: ModelFamily, settings: ModelFamilyCheckOptions): ConformanceFailure[] {
  return runChecks(modelFamilyChecks(family, settings));
}
