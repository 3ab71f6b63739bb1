import { ConfigError, RegistryError, ShapeError, closestMatches, parseOptions, tf, type Registry, type SpecificationKind } from '@pofa/core';
import { BUILT_IN_PRUNING_METHOD, BUILT_IN_SCHEDULES, type ResolvedGradualPruningOptions } from './gradual-pruning-options';

/** A target's mask at a sparsity, computed by a registered pruning method. */
export type TargetMask = (weight: tf.Tensor, sparsity: number, target: string) => tf.Tensor;

/** The spec registered as `name`, or a `RegistryError` listing what is registered (and the built-in names). */
function lookUp<K extends 'pruning-method' | 'sparsity-schedule'>(registry: Registry, kind: K, name: string, builtIns: readonly string[]) {
  if (registry.has(kind, name)) return registry.get(kind, name);
  const known = registry.list(kind).filter((registered) => !builtIns.includes(registered));
  const suggestions = closestMatches(name, [...builtIns, ...known]);
  const registered = known.length === 0 ? 'none is registered' : `registered: ${known.join(', ')}`;
  return unknown(kind, name, `${builtIns.join(', ')} (built in), or a registered ${kind} (${registered})`, suggestions);
}

function unknown(kind: SpecificationKind, name: string, expected: string, suggestions: string[]): never {
  throw new RegistryError(`prune/gradual-magnitude: unknown ${kind} ${JSON.stringify(name)}`, {
    expected,
    received: JSON.stringify(name),
    hint: `${suggestions.length > 0 ? `Did you mean ${suggestions.map((item) => JSON.stringify(item)).join(' or ')}? ` : ''}Register it (registry.register('${kind}', spec)) in the registry the recipe is built with`,
  });
}

/**
 * The sparsity at each step from the registered `sparsity-schedule` named by `options.schedule`:
 * its options are the modifier's window (`initialSparsity`, `finalSparsity`, `startStep`,
 * `endStep`, `frequency`) plus `scheduleOptions`, validated once by its schema; a value outside
 * [0, 1) at a step is a `ConfigError` naming the schedule and the step.
 *
 * @example
 * ```ts
 * const sparsityAt = registeredSchedule(resolveGradualPruningOptions({ schedule: 'acme/steps', finalSparsity: 0.5, endStep: 4 }), registry);
 * sparsityAt(2); // what acme/steps' sparsityAt(2, options) returns
 * ```
 */
export function registeredSchedule(options: ResolvedGradualPruningOptions, registry: Registry): (step: number) => number {
  const schedule = lookUp(registry, 'sparsity-schedule', options.schedule, BUILT_IN_SCHEDULES);
  const { initialSparsity, finalSparsity, startStep, endStep, frequency } = options;
  const window = { initialSparsity, finalSparsity, startStep, endStep, frequency };
  const parsed = parseOptions(schedule.optionsSchema, { ...options.scheduleOptions, ...window }, 'scheduleOptions', {
    subject: `the options of sparsity-schedule ${schedule.name} (scheduleOptions and the window keys)`,
  });
  return (step) => {
    const sparsity = schedule.sparsityAt(step, parsed);
    if (typeof sparsity === 'number' && sparsity >= 0 && sparsity < 1) return sparsity;
    throw new ConfigError(`The sparsity-schedule ${schedule.name} returned a bad sparsity at step ${step}`, {
      expected: 'a number in [0, 1)',
      received: String(sparsity),
      hint: 'This is a bug in the plugin that registered the schedule (or in its scheduleOptions)',
    });
  };
}

/**
 * One target's mask from the registered `pruning-method` named by `options.method`: its
 * `computeMask(weight, options)` with `methodOptions` plus the scheduled `sparsity`, validated by
 * the method's schema (once now at `finalSparsity`, then at every pruning step). A mask of
 * another shape than the weight is a `ShapeError` naming the method and the target.
 *
 * @example
 * ```ts
 * const maskOf = registeredMethod(resolveGradualPruningOptions({ method: 'acme/movement', finalSparsity: 0.9, endStep: 100 }), registry);
 * const mask = maskOf(parameter.variable, 0.5, 'encoder.layer.0.output.dense.weight');
 * ```
 */
export function registeredMethod(options: ResolvedGradualPruningOptions, registry: Registry): TargetMask {
  const method = lookUp(registry, 'pruning-method', options.method, [BUILT_IN_PRUNING_METHOD]);
  const parse = (sparsity: number) =>
    parseOptions(method.optionsSchema, { ...options.methodOptions, sparsity }, 'methodOptions', {
      rejectUnknownKeys: true,
      subject: `the options of pruning-method ${method.name} (methodOptions and the scheduled sparsity)`,
    });
  parse(options.finalSparsity);
  return (weight, sparsity, target) => {
    const methodOptions = parse(sparsity);
    const mask = tf.tidy(() => method.computeMask(weight, methodOptions));
    if (!tf.util.arraysEqual(mask.shape, weight.shape)) {
      mask.dispose();
      throw new ShapeError(`The pruning-method ${method.name} returned a mask of another shape for ${target}`, {
        expected: `[${weight.shape.join(', ')}] (the weight's shape)`,
        received: `[${mask.shape.join(', ')}]`,
        hint: 'This is a bug in the plugin that registered the method',
      });
    }
    return mask;
  };
}
