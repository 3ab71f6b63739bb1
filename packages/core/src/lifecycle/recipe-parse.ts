import { parseDocument } from 'yaml';
import { ConfigError } from '../errors/config-error';
import { describeValue } from '../errors/pofa-error';
import { formatKeyPath, parseOptions } from '../registry/parse-options';
import { recipeSchema, type Recipe } from './recipe';

const RECIPE_HINT = 'A recipe is { version: 1, description?: string, modifiers: [{ type: "scope/name", ...options }] }';

/** The text formats a recipe can be written in. */
export type RecipeFormat = 'yaml' | 'json';

/** Options of {@link parseRecipe}. */
export interface ParseRecipeOptions {
  /** The text's format; sniffed when absent (`{` or `[` first means JSON, else YAML). */
  format?: RecipeFormat;
  /** Where the text came from (a path), for error messages. */
  source?: string;
}

/**
 * The format of `text`: JSON when it opens with `{` or `[`, YAML otherwise.
 *
 * @example
 * ```ts
 * sniffRecipeFormat('{ "version": 1 }'); // "json"
 * ```
 */
export function sniffRecipeFormat(text: string): RecipeFormat {
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function syntaxError(source: string, format: RecipeFormat, detail: string, at?: { line: number; column: number }): ConfigError {
  const location = at === undefined ? '' : ` at line ${at.line}, column ${at.column}`;
  return new ConfigError(`Cannot parse ${source} as ${format.toUpperCase()}${location}: ${detail}`, {
    hint: format === 'json' ? 'Recipes in JSON are one object { "version": 1, "modifiers": [...] }' : 'Check the indentation and quoting near that line',
  });
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    throw syntaxError(source, 'json', message, position === null ? undefined : lineAndColumn(text, Number(position[1])));
  }
}

function parseYaml(text: string, source: string): unknown {
  try {
    const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, schema: 'core' });
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem !== undefined) {
      throw syntaxError(source, 'yaml', problem.message.split('\n')[0], lineAndColumn(text, problem.pos[0]));
    }
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    // The yaml library throws a ReferenceError for an alias bomb and a RangeError for nesting deeper than its stack.
    throw syntaxError(source, 'yaml', error instanceof Error ? error.message : String(error));
  }
}

/** How deep a recipe may nest lists and mappings (a real one needs 4 levels; a deeper one is broken or hostile). */
const MAX_RECIPE_DEPTH = 32;

/** Rejects anything but plain JSON values, nesting deeper than {@link MAX_RECIPE_DEPTH}, and `${...}` (recipes do no interpolation). */
function assertPlainValues(value: unknown, path: Array<string | number>, source: string): void {
  const fail = (expected: string): never => {
    throw new ConfigError(`Invalid value at ${formatKeyPath('', path)} in ${source}`, {
      expected,
      received: describeValue(value),
      hint: 'Recipes hold plain values only: substitute variables before parsing',
    });
  };
  if (path.length > MAX_RECIPE_DEPTH && typeof value === 'object' && value !== null) fail(`lists and mappings nested at most ${MAX_RECIPE_DEPTH} deep`);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('a finite number');
    return;
  }
  if (typeof value === 'string') {
    if (/\$\{[^}]*\}/.test(value)) fail('a plain string (no ${...} interpolation)');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertPlainValues(item, [...path, index], source));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) assertPlainValues(item, [...path, key], source);
    return;
  }
  fail('a string, number, boolean, null, list or mapping');
}

/**
 * Parses a recipe from YAML or JSON text and validates its structure (not yet the modifiers'
 * options: {@link createModifiersFromRecipe} does that against the registry). Syntax errors
 * name the line and column; no code is evaluated and no `${...}` is interpolated.
 *
 * @example
 * ```ts
 * const recipe = parseRecipe(`
 * version: 1
 * modifiers:
 *   - type: prune/gradual-magnitude
 *     end: 1000
 *     finalSparsity: 0.9
 * `);
 * console.log(recipe.modifiers[0].type); // "prune/gradual-magnitude"
 * ```
 */
export function parseRecipe(text: string, options: ParseRecipeOptions = {}): Recipe {
  const source = options.source ?? 'recipe';
  const format = options.format ?? sniffRecipeFormat(text);
  const data = format === 'json' ? parseJson(text, source) : parseYaml(text, source);
  return validateRecipe(data, source);
}

/**
 * Validates an already parsed recipe object (plain values, `version: 1`, a `modifiers` list
 * whose entries have a `type`).
 *
 * @example
 * ```ts
 * const recipe = validateRecipe({ version: 1, modifiers: [{ type: 'acme/logger', every: 10 }] });
 * ```
 */
export function validateRecipe(data: unknown, source = 'recipe'): Recipe {
  assertPlainValues(data, [], source);
  return parseOptions(recipeSchema, data, '', { subject: source, hint: RECIPE_HINT });
}
