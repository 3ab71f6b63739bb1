import { z } from 'zod';
import { ConfigError } from '@pofa/core';
import type { ModuleImporter } from './dataset-packages';

/**
 * Options every embedded task accepts: the split fractions (test takes the rest), the seed of
 * the deterministic split, and an optional importer (tests inject one that fails).
 */
export const EmbeddedTaskOptionsSchema = z
  .object({
    seed: z.number().int().default(0),
    trainFraction: z.number().gt(0).lt(1).default(0.8),
    validationFraction: z.number().gt(0).lt(1).default(0.1),
    importer: z.custom<ModuleImporter>((value) => typeof value === 'function').optional(),
  })
  .strict()
  .refine((options) => options.trainFraction + options.validationFraction < 1, {
    message: 'trainFraction + validationFraction must leave a test split (sum < 1)',
  });

/** Options of the embedded task loaders, as the caller writes them. */
export type EmbeddedTaskOptions = z.input<typeof EmbeddedTaskOptionsSchema>;

/**
 * Validates options against a zod schema and turns a failure into a {@link ConfigError}.
 *
 * @example
 * ```ts
 * const options = parseOptions(EmbeddedTaskOptionsSchema, { seed: 1 }, 'loadSpamTask');
 * ```
 */
export function parseOptions<Schema extends z.ZodTypeAny>(schema: Schema, options: unknown, where: string): z.output<Schema> {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new ConfigError(`${where}: invalid options`, {
      expected: 'options matching the documented schema',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
    });
  }
  return parsed.data;
}
