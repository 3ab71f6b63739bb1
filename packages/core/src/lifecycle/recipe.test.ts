import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import type { Module } from '../nn/module';
import { createRandom } from '../random';
import { createRegistry } from '../registry/create-registry';
import type { ModifierFactory } from '../registry/specs/modifier-factory';
import { createModifier } from './create-modifier';
import { modifierScheduleSchema } from './modifier-schedule';
import type { Recipe } from './recipe';
import { loadRecipe } from './recipe-load';
import { createModifiersFromRecipe } from './recipe-modifiers';
import { parseRecipe, sniffRecipeFormat } from './recipe-parse';

const fixture = (name: string): string => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

const counterSchema = modifierScheduleSchema.extend({ label: z.string(), weight: z.number().min(0).max(1).default(1) });
const log: string[] = [];
const counter: ModifierFactory<z.output<typeof counterSchema>> = {
  specificationVersion: 'v1',
  name: 'test/counter',
  optionsSchema: counterSchema,
  create: ({ label, weight, ...schedule }) =>
    createModifier({ kind: 'test/counter', ...schedule, onUpdate: (context) => void log.push(`${label}:${weight}@${context.step}`) }),
};

function registryWithCounter() {
  const registry = createRegistry();
  registry.register('modifier', counter);
  return registry;
}

function configErrorMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseRecipe', () => {
  const yaml = 'version: 1\nmodifiers:\n  - type: test/counter\n    label: a\n    end: 4\n';
  const json = '{ "version": 1, "modifiers": [{ "type": "test/counter", "label": "a", "end": 4 }] }';
  const expected: Recipe = { version: 1, modifiers: [{ type: 'test/counter', label: 'a', end: 4 }] };

  it('reads YAML and JSON to the same recipe, sniffing the format', () => {
    expect(sniffRecipeFormat(yaml)).toBe('yaml');
    expect(sniffRecipeFormat(`\n  ${json}`)).toBe('json');
    expect(parseRecipe(yaml)).toEqual(expected);
    expect(parseRecipe(json)).toEqual(expected);
    expect(parseRecipe(json, { format: 'yaml' })).toEqual(expected);
  });

  it('reports the line and column of a YAML syntax error', () => {
    // line 4 is indented by 3 spaces, neither the item's key column (5) nor a new "- " item
    const message = configErrorMessage(() => parseRecipe('version: 1\nmodifiers:\n  - type: a/b\n   label: x\n'));
    expect(message).toContain('Cannot parse recipe as YAML at line 4, column 1');
    const duplicate = configErrorMessage(() => parseRecipe('version: 1\nversion: 1\nmodifiers: []\n'));
    expect(duplicate).toContain('at line 2, column 1');
  });

  it('reports the line and column of a JSON syntax error', () => {
    // after the trailing comma of line 2 the parser wants a key and finds "}" at line 3, column 1
    const message = configErrorMessage(() => parseRecipe('{ "version": 1,\n  "modifiers": [],\n}', { format: 'json' }));
    expect(message).toContain('Cannot parse recipe as JSON at line 3, column 1');
  });

  it('rejects interpolation, code tags and non-finite numbers', () => {
    expect(configErrorMessage(() => parseRecipe('version: 1\nmodifiers:\n  - type: a/b\n    label: ${NAME}\n'))).toContain(
      'modifiers[0].label',
    );
    expect(configErrorMessage(() => parseRecipe('version: 1\nmodifiers:\n  - type: !!js/function "() => 1"\n'))).toContain('line 3, column 11: Unresolved tag');
    expect(configErrorMessage(() => parseRecipe('version: 1\nmodifiers:\n  - type: a/b\n    weight: .inf\n'))).toContain('a finite number');
  });

  it('names the structural problems', () => {
    expect(configErrorMessage(() => parseRecipe('modifiers: []\n'))).toContain('version: invalid literal value, expected 1');
    expect(configErrorMessage(() => parseRecipe('version: 1\nmodifiers:\n  - start: 3\n'))).toContain('modifiers[0].type: required');
    expect(configErrorMessage(() => parseRecipe('version: 1\nmodifiers: []\nextra: 1\n'))).toContain('extra: unknown key');
  });
});

describe('loadRecipe', () => {
  it('loads a YAML file', async () => {
    const recipe = await loadRecipe(fixture('gradual-recipe.yaml'));
    expect(recipe.modifiers.map((entry) => entry.label)).toEqual(['prune', 'distill']);
  });

  it('names the file and the line of a syntax error, and a missing file', async () => {
    await expect(loadRecipe(fixture('broken-recipe.yml'))).rejects.toThrow(/broken-recipe\.yml as YAML at line 5, column 1: Missing closing "quote/);
    await expect(loadRecipe(fixture('missing.yaml'))).rejects.toThrow(/Cannot read recipe .*missing\.yaml.*ENOENT/);
  });
});

describe('createModifiersFromRecipe', () => {
  it('builds modifiers that follow the recipe schedules', async () => {
    const modifiers = createModifiersFromRecipe(await loadRecipe(fixture('gradual-recipe.yaml')), registryWithCounter());
    expect(modifiers.map((modifier) => modifier.kind)).toEqual(['test/counter', 'test/counter']);
    log.length = 0;
    const context = (step: number) => ({ model: {} as Module, step, random: createRandom(1), log: () => undefined });
    for (const modifier of modifiers) void modifier.initialize(context(0));
    for (let step = 0; step < 8; step++) for (const modifier of modifiers) void modifier.update(context(step));
    expect(log.filter((line) => line.startsWith('prune'))).toEqual(['prune:1@2', 'prune:1@4']);
    expect(log.filter((line) => line.startsWith('distill'))).toHaveLength(8);
  });

  it('names the entry and key of an invalid option', () => {
    const recipe = parseRecipe('version: 1\nmodifiers:\n  - type: test/counter\n    label: a\n  - type: test/counter\n    label: b\n    weight: "1"\n');
    expect(configErrorMessage(() => createModifiersFromRecipe(recipe, registryWithCounter()))).toContain(
      'modifiers[1].weight: expected number, received string',
    );
  });

  it('catches misspelled keys and bad schedules', () => {
    const typo = parseRecipe('version: 1\nmodifiers:\n  - type: test/counter\n    label: a\n    wieght: 0.5\n');
    expect(configErrorMessage(() => createModifiersFromRecipe(typo, registryWithCounter()))).toContain(
      'modifiers[0].wieght: unknown key (did you mean weight?',
    );
    const schedule = parseRecipe('version: 1\nmodifiers:\n  - type: test/counter\n    label: a\n    start: 5\n    end: 5\n');
    expect(configErrorMessage(() => createModifiersFromRecipe(schedule, registryWithCounter()))).toMatch(/modifiers\[0\] \(test\/counter\).*Invalid end/);
  });

  it("passes the recipe's registry to each factory, so the plugins an entry names resolve there", () => {
    const seen: unknown[] = [];
    const registry = registryWithCounter();
    const spy: ModifierFactory<z.output<typeof counterSchema>> = {
      ...counter,
      name: 'test/spy',
      create: (options, context) => {
        seen.push(context?.registry);
        return counter.create(options, context);
      },
    };
    registry.register('modifier', spy as ModifierFactory);
    createModifiersFromRecipe(parseRecipe('version: 1\nmodifiers:\n  - type: test/spy\n    label: a\n'), registry);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(registry);
  });

  it('lists the registered modifier types for an unknown type', () => {
    const recipe = parseRecipe('version: 1\nmodifiers:\n  - type: test/countr\n');
    const message = configErrorMessage(() => createModifiersFromRecipe(recipe, registryWithCounter()));
    expect(message).toContain('modifiers[0].type');
    expect(message).toContain('one of test/counter');
    expect(message).toContain('Did you mean "test/counter"?');
  });
});
