import { ConfigError, type tf } from '@pofa/core';
import { z } from 'zod';

/** The padding mask every masked loss accepts: `[batch, seq]` of 0/1, 1 where a position counts. */
export interface MaskOption {
  /** 1 where a position counts, 0 where it is padding; shape given by each loss. */
  mask?: tf.Tensor;
}

/**
 * Options of the temperature-scaled KD losses: `temperature` > 0 (default 1).
 *
 * @example
 * ```ts
 * temperatureOptionsSchema.parse({}); // { temperature: 1 }
 * ```
 */
export const temperatureOptionsSchema = z.object({
  temperature: z.number().finite().positive().default(1),
});

/**
 * Options of the losses that take nothing besides the runtime mask.
 *
 * @example
 * ```ts
 * noOptionsSchema.parse({}); // {}
 * ```
 */
export const noOptionsSchema = z.object({});

/**
 * Validates `options` against `schema` (defaults applied) and throws a {@link ConfigError}
 * naming the loss and the offending option when they do not validate.
 *
 * @example
 * ```ts
 * parseLossOptions(temperatureOptionsSchema, { temperature: 2 }, 'kdKlDivergence'); // { temperature: 2 }
 * parseLossOptions(temperatureOptionsSchema, { temperature: 0 }, 'kdKlDivergence'); // throws
 * ```
 */
export function parseLossOptions<Output>(
  schema: z.ZodType<Output, z.ZodTypeDef, unknown>,
  options: unknown,
  lossName: string,
): Output {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.length > 0 ? issue.path.join('.') : 'options';
  const received = path === 'options' ? options : (options as Record<string, unknown>)[String(issue.path[0])];
  throw new ConfigError(`Invalid option ${JSON.stringify(path)} of ${lossName}`, {
    expected: issue.message,
    received: describeOption(received),
    hint: path === 'temperature' ? 'The temperature divides the logits: give a finite number greater than 0 (Prune OFA uses 2)' : undefined,
  });
}

function describeOption(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
