import type { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import { describeValue } from '../errors/pofa-error';
import { closestMatches } from './edit-distance';
import { unknownKeys } from './unknown-keys';

/** Settings of {@link parseOptions}. */
export interface ParseOptionsSettings {
  /** What the error message calls the value (`recipe.yaml`); `where` by default. */
  subject?: string;
  /** Report keys an object schema would silently drop, with a "did you mean" (default false). */
  rejectUnknownKeys?: boolean;
  /** How to fix it, replacing the generic hint. */
  hint?: string;
}

/**
 * Writes a key path the way a reader of JSON would: `modifiers[2].options.sparsity`.
 *
 * @example
 * ```ts
 * formatKeyPath('recipe', ['modifiers', 2, 'sparsity']); // "recipe.modifiers[2].sparsity"
 * ```
 */
export function formatKeyPath(where: string, path: ReadonlyArray<string | number>): string {
  let text = where;
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) text += text === '' ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text === '' ? '(root)' : text;
}

function valueAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function lowerFirst(text: string): string {
  return text.length === 0 ? text : text[0].toLowerCase() + text.slice(1);
}

/** One line per zod issue: `<path>: <what is wrong>`. */
function describeIssue(issue: z.ZodIssue, value: unknown, where: string): string[] {
  const path = formatKeyPath(where, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return [issue.received === 'undefined' ? `${path}: required (expected ${issue.expected})` : `${path}: expected ${issue.expected}, received ${issue.received}`];
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${formatKeyPath(where, [...issue.path, key])}: unknown key`);
    case 'too_small':
    case 'too_big':
    case 'not_multiple_of':
    case 'invalid_enum_value':
    case 'invalid_literal':
    case 'invalid_string':
    case 'custom': {
      const received = valueAt(value, issue.path);
      const message = lowerFirst(issue.message);
      return [message.includes('received') ? `${path}: ${message}` : `${path}: ${message}, received ${describeValue(received)}`];
    }
    default:
      return [`${path}: ${lowerFirst(issue.message)}`];
  }
}

/**
 * Validates `value` with a zod schema and returns the parsed options (defaults applied). On
 * failure it throws a `ConfigError` listing every issue with its key path under `where`, e.g.
 * `modifiers[2].sparsity: expected number, received string`.
 *
 * @example
 * ```ts
 * const schema = z.object({ sparsity: z.number().min(0).lt(1) });
 * const options = parseOptions(schema, { sparsity: 0.9 }, 'modifiers[0]'); // { sparsity: 0.9 }
 * parseOptions(schema, { sparsity: '0.9' }, 'modifiers[0]');
 * // ConfigError: Invalid modifiers[0]: modifiers[0].sparsity: expected number, received string
 * ```
 */
export function parseOptions<Schema extends z.ZodTypeAny>(
  schema: Schema,
  value: unknown,
  where: string,
  settings: ParseOptionsSettings = {},
): z.output<Schema> {
  const result = schema.safeParse(value);
  const lines = result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, value, where));
  if (settings.rejectUnknownKeys === true) {
    const { unknown, known } = unknownKeys(schema, value);
    for (const key of unknown) {
      const suggestions = closestMatches(key, known);
      const knownText = known.length === 0 ? 'it takes no options' : `known keys: ${known.join(', ')}`;
      lines.push(`${formatKeyPath(where, [key])}: unknown key (${suggestions.length > 0 ? `did you mean ${suggestions.join(' or ')}? ` : ''}${knownText})`);
    }
  }
  if (result.success && lines.length === 0) return result.data as z.output<Schema>;
  const subject = settings.subject ?? (where === '' ? 'options' : where);
  const message =
    lines.length === 1 ? `Invalid ${subject}: ${lines[0]}` : `Invalid ${subject} (${lines.length} issues):\n  ${lines.join('\n  ')}`;
  throw new ConfigError(message, { hint: settings.hint ?? 'Check these keys against the options the plugin documents' });
}
