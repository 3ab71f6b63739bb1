import { describeValue } from '../errors/pofa-error';
import { RegistryError } from '../errors/registry-error';
import { closestMatches } from './edit-distance';
import { assertRegistryKey } from './registry-key';
import { SPECIFICATION_KINDS, isSpecificationKind, type SpecificationKind, type SpecificationsByKind } from './specification-kinds';
import { specificationProblems } from './validate-specification';

/** Options of {@link Registry.register}. */
export interface RegisterOptions {
  /** Replace a spec already registered under the same name instead of throwing. */
  override?: boolean;
}

/**
 * Plugins by kind and namespaced name. Create one with {@link createRegistry}, or use
 * `defaultRegistry`.
 */
export interface Registry {
  /** Adds `spec` under `spec.name`; throws a `RegistryError` for a duplicate unless `override`. */
  register<K extends SpecificationKind>(kind: K, spec: SpecificationsByKind[K], options?: RegisterOptions): void;
  /** The spec registered under `name`; a `RegistryError` listing the known names when absent. */
  get<K extends SpecificationKind>(kind: K, name: string): SpecificationsByKind[K];
  has(kind: SpecificationKind, name: string): boolean;
  /** The names registered for `kind`, sorted. */
  list(kind: SpecificationKind): string[];
  /** Removes `name`; returns whether it was registered. */
  unregister(kind: SpecificationKind, name: string): boolean;
}

function assertKind(kind: unknown): asserts kind is SpecificationKind {
  if (isSpecificationKind(kind)) return;
  throw new RegistryError('Unknown plugin kind', {
    expected: `one of ${SPECIFICATION_KINDS.join(', ')}`,
    received: describeValue(kind),
  });
}

function unknownNameError(kind: SpecificationKind, name: string, known: string[]): RegistryError {
  const suggestions = closestMatches(name, known);
  const registerHint = `register it first with registry.register('${kind}', spec), or call the registerBuiltins(registry) of the package that provides it`;
  return new RegistryError(`Unknown ${kind} ${JSON.stringify(name)}`, {
    expected: known.length === 0 ? `a registered ${kind} (none are registered)` : `one of ${known.join(', ')}`,
    received: JSON.stringify(name),
    hint: suggestions.length > 0 ? `Did you mean ${suggestions.map((item) => JSON.stringify(item)).join(' or ')}? Otherwise ${registerHint}` : `To use it, ${registerHint}`,
  });
}

/**
 * Creates an empty plugin registry. Importing pofa registers nothing: packages export a
 * `registerBuiltins(registry)` that fills one.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * registry.register('pruning-method', magnitude);
 * const method = registry.get('pruning-method', 'acme/magnitude'); // typed PruningMethod
 * registry.register('pruning-method', betterMagnitude, { override: true });
 * ```
 */
export function createRegistry(): Registry {
  const entries = new Map<SpecificationKind, Map<string, unknown>>();
  const table = (kind: SpecificationKind): Map<string, unknown> => {
    let found = entries.get(kind);
    if (found === undefined) {
      found = new Map();
      entries.set(kind, found);
    }
    return found;
  };
  const sortedNames = (kind: SpecificationKind): string[] => [...table(kind).keys()].sort();

  return {
    register(kind, spec, options = {}) {
      assertKind(kind);
      const name = (spec as { name?: unknown } | null)?.name;
      assertRegistryKey(name, kind);
      const problems = specificationProblems(kind, spec);
      if (problems.length > 0) {
        throw new RegistryError(`Cannot register ${kind} ${JSON.stringify(name)}: ${problems.join('; ')}`, {
          hint: `A ${kind} is a plain object following the pofa v1 plugin specification`,
        });
      }
      const known = table(kind);
      if (known.has(name) && options.override !== true) {
        throw new RegistryError(`A ${kind} named ${JSON.stringify(name)} is already registered`, {
          expected: 'a name not yet registered',
          received: JSON.stringify(name),
          hint: 'Pass { override: true } to replace it, or pick another name',
        });
      }
      known.set(name, spec);
    },
    get<K extends SpecificationKind>(kind: K, name: string): SpecificationsByKind[K] {
      assertKind(kind);
      assertRegistryKey(name, kind);
      const known = table(kind);
      if (!known.has(name)) throw unknownNameError(kind, name, sortedNames(kind));
      return known.get(name) as SpecificationsByKind[K];
    },
    has(kind, name) {
      assertKind(kind);
      return table(kind).has(name);
    },
    list(kind) {
      assertKind(kind);
      return sortedNames(kind);
    },
    unregister(kind, name) {
      assertKind(kind);
      return table(kind).delete(name);
    },
  };
}
