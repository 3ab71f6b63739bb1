import { RegistryError } from '../errors/registry-error';
import { describeValue } from '../errors/pofa-error';

/**
 * The pattern of a registry key: `scope/name`, each part lowercase letters and digits
 * separated by single dashes (`prune/gradual-magnitude`, `glue/sst-2`).
 *
 * @example
 * ```ts
 * REGISTRY_KEY_PATTERN.test('prune/magnitude'); // true
 * REGISTRY_KEY_PATTERN.test('Magnitude'); // false
 * ```
 */
export const REGISTRY_KEY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

const PATTERN_IN_WORDS =
  '"scope/name": lowercase letters, digits and single inner dashes on each side of one slash (e.g. "prune/gradual-magnitude")';

/**
 * True when `key` matches {@link REGISTRY_KEY_PATTERN}.
 *
 * @example
 * ```ts
 * isRegistryKey('distill/hinton-kd'); // true
 * ```
 */
export function isRegistryKey(key: unknown): key is string {
  return typeof key === 'string' && REGISTRY_KEY_PATTERN.test(key);
}

/**
 * Throws a {@link RegistryError} naming the expected pattern when `key` is not a registry key.
 *
 * @example
 * ```ts
 * assertRegistryKey('prune/magnitude', 'pruning-method'); // passes
 * assertRegistryKey('prune_magnitude', 'pruning-method'); // throws
 * ```
 */
export function assertRegistryKey(key: unknown, kind: string): asserts key is string {
  if (isRegistryKey(key)) return;
  throw new RegistryError(`Invalid ${kind} name`, {
    expected: PATTERN_IN_WORDS,
    received: describeValue(key),
    hint: 'Prefix the name with your package or organisation as its scope, in lowercase',
  });
}
