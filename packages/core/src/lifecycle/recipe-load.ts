import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ConfigError } from '../errors/config-error';
import type { Recipe } from './recipe';
import { parseRecipe, type RecipeFormat } from './recipe-parse';

const FORMATS_BY_EXTENSION: Record<string, RecipeFormat> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

/**
 * Reads and parses a recipe file; `.yaml`/`.yml`/`.json` set the format, any other
 * extension is sniffed.
 *
 * @example
 * ```ts
 * const recipe = await loadRecipe('recipes/prune-90.yaml');
 * const modifiers = createModifiersFromRecipe(recipe, registry);
 * ```
 */
export async function loadRecipe(path: string): Promise<Recipe> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read recipe ${path}`, {
      expected: 'a readable YAML or JSON file',
      received: (error as NodeJS.ErrnoException).code ?? String(error),
      hint: 'Check the path (relative paths start at the current working directory)',
      cause: error,
    });
  }
  return parseRecipe(text, { format: FORMATS_BY_EXTENSION[extname(path).toLowerCase()], source: path });
}
