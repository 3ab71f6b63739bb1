import { ConfigError } from '../errors/config-error';
import { PofaError, describeValue } from '../errors/pofa-error';
import { defaultRegistry } from '../registry/default-registry';
import type { Registry } from '../registry/create-registry';
import { closestMatches } from '../registry/edit-distance';
import { parseOptions } from '../registry/parse-options';
import type { ModifierFactory } from '../registry/specs/modifier-factory';
import type { Modifier } from './modifier';
import type { Recipe } from './recipe';
import { validateRecipe } from './recipe-parse';

function factoryFor(type: string, index: number, registry: Registry): ModifierFactory {
  if (registry.has('modifier', type)) return registry.get('modifier', type);
  const known = registry.list('modifier');
  const suggestions = closestMatches(type, known);
  throw new ConfigError(`Unknown modifier type at modifiers[${index}].type`, {
    expected: known.length === 0 ? 'a registered modifier type (none are registered)' : `one of ${known.join(', ')}`,
    received: JSON.stringify(type),
    hint:
      (suggestions.length > 0 ? `Did you mean ${suggestions.map((item) => JSON.stringify(item)).join(' or ')}? ` : '') +
      'Register the package that provides it, e.g. registerBuiltins(registry), before building the recipe',
  });
}

function assertModifier(value: unknown, type: string, index: number): asserts value is Modifier {
  const modifier = value as Partial<Modifier> | null;
  const valid =
    typeof modifier === 'object' &&
    modifier !== null &&
    modifier.specificationVersion === 'v1' &&
    typeof modifier.initialize === 'function' &&
    typeof modifier.update === 'function' &&
    typeof modifier.finalize === 'function';
  if (valid) return;
  throw new ConfigError(`The modifier factory ${type} (modifiers[${index}]) did not return a modifier`, {
    expected: 'a v1 Modifier with initialize, update and finalize',
    received: describeValue(value),
    hint: 'This is a bug in the plugin that registered this modifier type',
  });
}

/**
 * Builds the modifiers of a recipe: each entry's `type` names a modifier factory in the
 * registry, and the rest of the entry is validated against that factory's `optionsSchema`
 * (errors name `modifiers[i].<key>`, unknown keys included) before any modifier is created.
 * Each factory's `create` gets the parsed options and `{ registry }`, so the plugins an entry
 * names (a loss, a pruning method) resolve in the same registry as the modifier itself.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * registerBuiltins(registry); // from the package that provides the modifiers
 * const modifiers = createModifiersFromRecipe(parseRecipe(text), registry);
 * ```
 */
export function createModifiersFromRecipe(recipe: Recipe, registry: Registry = defaultRegistry): Modifier[] {
  const { modifiers: entries } = validateRecipe(recipe);
  const planned = entries.map(({ type, ...options }, index) => {
    const factory = factoryFor(type, index, registry);
    const parsed = parseOptions(factory.optionsSchema, options, `modifiers[${index}]`, {
      rejectUnknownKeys: true,
      subject: `modifiers[${index}] (${type})`,
    });
    return { factory, parsed, type };
  });
  return planned.map(({ factory, parsed, type }, index) => {
    let modifier: unknown;
    try {
      modifier = factory.create(parsed, { registry });
    } catch (error) {
      if (!PofaError.isInstance(error)) throw error;
      throw new ConfigError(`Cannot create modifiers[${index}] (${type}): ${error.message}`, { cause: error });
    }
    assertModifier(modifier, type, index);
    return modifier;
  });
}
