import { ConfigError } from '@pofa/core';
import type { z } from 'zod';

/**
 * Validates `raw` against a config schema and turns the first zod issue into a
 * {@link ConfigError} that names the offending field.
 *
 * @example
 * ```ts
 * const config = parseConfig(bertConfigSchema, JSON.parse(text), 'BertConfig');
 * ```
 */
export function parseConfig<Schema extends z.ZodTypeAny>(schema: Schema, raw: unknown, name: string): z.output<Schema> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  const received = 'received' in issue ? String(issue.received) : describeAt(raw, issue.path);
  throw new ConfigError(`Invalid ${name}: field "${field}": ${issue.message}`, {
    expected: `a valid "${field}"`,
    received,
    hint: `Fix "${field}" in the config (Hugging Face config.json field names)`,
  });
}

function describeAt(raw: unknown, path: Array<string | number>): string {
  let value: unknown = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return 'undefined';
    value = (value as Record<string | number, unknown>)[key];
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
