import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import { describeValue } from '../errors/pofa-error';

/**
 * The lifecycle keys every modifier accepts, in optimizer steps: active from `start`
 * (inclusive) to `end` (exclusive; forever when absent), updating every `every` steps.
 * Modifier factories extend it with their own options; `end > start` is checked by
 * `createModifier`.
 *
 * @example
 * ```ts
 * const schema = modifierScheduleSchema.extend({ finalSparsity: z.number().min(0).lt(1) });
 * schema.parse({ end: 1000, finalSparsity: 0.9 }); // { start: 0, every: 1, end: 1000, finalSparsity: 0.9 }
 * ```
 */
export const modifierScheduleSchema = z.object({
  start: z.number().int().min(0).default(0),
  end: z.number().int().min(1).optional(),
  every: z.number().int().min(1).default(1),
});

/** The parsed lifecycle keys of a modifier. */
export type ModifierSchedule = z.output<typeof modifierScheduleSchema>;

/**
 * Checks and completes a schedule: `start` a non-negative integer (default 0), `end` an
 * integer greater than `start` or absent, `every` a positive integer (default 1). Throws a
 * `ConfigError` naming the key otherwise.
 *
 * @example
 * ```ts
 * resolveModifierSchedule({ start: 10, end: 100 }); // { start: 10, end: 100, every: 1 }
 * resolveModifierSchedule({ start: 10, end: 10 }); // throws ConfigError (end must be > start)
 * ```
 */
export function resolveModifierSchedule(schedule: { start?: number; end?: number; every?: number }, kind = 'modifier'): ModifierSchedule {
  const { start = 0, end, every = 1 } = schedule;
  const fail = (key: string, expected: string, received: unknown): never => {
    throw new ConfigError(`Invalid ${key} of ${kind}`, { expected, received: describeValue(received), hint: 'Steps count optimizer steps from 0' });
  };
  if (!Number.isInteger(start) || start < 0) fail('start', 'a non-negative integer step', start);
  if (!Number.isInteger(every) || every < 1) fail('every', 'an integer >= 1', every);
  if (end !== undefined && (!Number.isInteger(end) || end <= start)) fail('end', `an integer step greater than start (${start}), or no end`, end);
  return end === undefined ? { start, every } : { start, end, every };
}
