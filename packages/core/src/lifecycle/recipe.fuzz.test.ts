import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { arbitraryBytes, createTally, damagedBytes, editedJson, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { createRegistry } from '../registry/create-registry';
import type { ModifierFactory } from '../registry/specs/modifier-factory';
import { createModifier } from './create-modifier';
import { modifierScheduleSchema } from './modifier-schedule';
import { loadRecipe } from './recipe-load';
import { createModifiersFromRecipe } from './recipe-modifiers';

// loadRecipe (YAML or JSON) and createModifiersFromRecipe on damaged and hostile recipes: each
// reads the recipe or throws a PofaError, never a TypeError, RangeError or ReferenceError.

const counterSchema = modifierScheduleSchema.extend({ label: z.string(), weight: z.number().min(0).max(1).default(1) });
const counter: ModifierFactory<z.output<typeof counterSchema>> = {
  specificationVersion: 'v1',
  name: 'test/counter',
  optionsSchema: counterSchema,
  create: ({ label: _label, weight: _weight, ...schedule }) => createModifier({ kind: 'test/counter', ...schedule }),
};
const registry = createRegistry();
registry.register('modifier', counter);

let directory: string;
let yamlRecipe: Uint8Array;
let counterValue = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pofa-recipe-fuzz-'));
  yamlRecipe = await readFile(fileURLToPath(new URL('./__fixtures__/gradual-recipe.yaml', import.meta.url)));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const JSON_RECIPE = {
  version: 1,
  description: 'fuzzed',
  modifiers: [
    { type: 'test/counter', start: 2, end: 6, every: 2, label: 'prune' },
    { type: 'test/counter', label: 'distill', weight: 0.5 },
  ],
};

/** Hostile YAML: deep nesting, alias bombs, unknown tags, duplicate keys, merge keys, huge numbers. */
const HOSTILE_YAML = [
  `version: 1\nmodifiers: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`,
  `version: 1\nmodifiers:\n${Array.from({ length: 2_000 }, (_, depth) => `${'  '.repeat(depth)}- `).join('\n')}x\n`,
  `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nversion: 1\nmodifiers: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
  `version: 1\nmodifiers: *undefined\n`,
  `version: 1\nmodifiers:\n  - !!js/function "function () { return 1 }"\n`,
  `version: 1\nmodifiers:\n  - type: test/counter\n    label: a\n    label: b\n`,
  `version: 1\nmodifiers:\n  - <<: {type: test/counter, label: a}\n    end: 4\n`,
  `version: 1\nmodifiers:\n  - type: test/counter\n    label: a\n    end: 1e999\n`,
  `version: 1\nmodifiers:\n  - type: test/counter\n    label: a\n    end: .nan\n`,
  `version: 1\nmodifiers:\n  - type: test/counter\n    label: \${HOME}\n`,
  `version: 1\nmodifiers:\n  - type: test/counter\n    __proto__: {label: a}\n`,
  `%YAML 1.2\n---\nversion: 1\n---\nversion: 2\n`,
  `version: !!binary aGVsbG8=\nmodifiers: []\n`,
  `version: 1\nmodifiers: !!set {a, b}\n`,
  `version: 1\nmodifiers: !!omap [a: 1]\n`,
  `\ufeff\u0000version: 1\n`,
];

async function readRecipe(label: string, bytes: Uint8Array, extension: string): Promise<'read' | 'refused'> {
  const path = join(directory, `case-${counterValue++}${extension}`);
  await writeFile(path, bytes);
  const outcome = await readOrRefuse(label, async () => createModifiersFromRecipe(await loadRecipe(path), registry));
  await rm(path);
  return outcome;
}

describe('recipe reading under fuzzing (fast-check)', () => {
  it('reads the valid recipes', async () => {
    expect(await readRecipe('valid YAML', yamlRecipe, '.yaml')).toBe('read');
    expect(await readRecipe('valid JSON', new TextEncoder().encode(JSON.stringify(JSON_RECIPE)), '.json')).toBe('read');
  });

  it('reads or refuses arbitrary bytes as YAML, JSON or sniffed', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(arbitraryBytes, fc.constantFrom('.yaml', '.json', '.recipe'), async (bytes, extension) =>
        tally.add(await readRecipe(`${extension} bytes ${Buffer.from(bytes).toString('hex').slice(0, 80)}`, bytes, extension)),
      ),
      fuzzParameters(300),
    );
    expect(tally.refused).toBeGreaterThan(250);
  }, 30_000);

  it('reads or refuses damaged copies of a YAML recipe', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(damagedBytes(yamlRecipe), async (bytes) => tally.add(await readRecipe(`damaged YAML ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}`, bytes, '.yaml'))),
      fuzzParameters(300),
    );
    expect(tally.read).toBeGreaterThan(20);
    expect(tally.refused).toBeGreaterThan(20);
  }, 30_000);

  it('reads or refuses JSON recipes with hostile values (1e999, deep nesting, __proto__ keys)', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(editedJson(JSON_RECIPE), async (text) => tally.add(await readRecipe(`JSON ${text.slice(0, 200)}`, new TextEncoder().encode(text), '.json'))),
      fuzzParameters(300),
    );
    expect(tally.read).toBeGreaterThan(10);
    expect(tally.refused).toBeGreaterThan(100);
  }, 30_000);

  it('refuses hostile YAML: nesting, alias bombs, unknown tags, duplicate keys, several documents', async () => {
    // Before the fix: the alias bomb threw the yaml library's ReferenceError, the deep nesting a RangeError.
    for (const text of HOSTILE_YAML) expect(await readRecipe(`YAML ${JSON.stringify(text.slice(0, 120))}`, new TextEncoder().encode(text), '.yaml')).toBe('refused');
  }, 30_000);
});
