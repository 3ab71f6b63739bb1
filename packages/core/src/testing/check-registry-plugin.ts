import { createRegistry } from '../registry/create-registry';
import type { SpecificationKind, SpecificationsByKind } from '../registry/specification-kinds';
import { specificationProblems } from '../registry/validate-specification';
import type { ConformanceFailure } from './conformance-check';

/**
 * Checks that `spec` is a valid v1 plugin of `kind` (version, `scope/name` name, the members
 * its kind requires) and that it registers into a fresh registry and is retrieved unchanged.
 * Needs no backend.
 *
 * @example
 * ```ts
 * console.log(checkRegistryPlugin('pruning-method', magnitude)); // []
 * ```
 */
export function checkRegistryPlugin<K extends SpecificationKind>(kind: K, spec: SpecificationsByKind[K]): ConformanceFailure[] {
  const failures: ConformanceFailure[] = specificationProblems(kind, spec).map((message) => ({ check: 'is a valid v1 spec', message }));
  if (failures.length > 0) return failures;
  const check = 'registers into a fresh registry and is retrievable';
  try {
    const registry = createRegistry();
    registry.register(kind, spec);
    if (registry.get(kind, spec.name) !== spec) failures.push({ check, message: 'get() returned another object' });
    if (!registry.list(kind).includes(spec.name)) failures.push({ check, message: `list('${kind}') does not include ${spec.name}` });
  } catch (error) {
    failures.push({ check, message: error instanceof Error ? error.message : String(error) });
  }
  return failures;
}
