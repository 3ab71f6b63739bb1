import { z } from 'zod';

const linearRampSchema = z.object({
  from: z.number().finite(),
  to: z.number().finite(),
  /** Step at which the ramp starts (value `from` before and at it). */
  startStep: z.number().int().nonnegative().default(0),
  /** Step at which the ramp ends (value `to` from it on). */
  endStep: z.number().int().positive(),
});

/**
 * A number, or a linear ramp `{ from, to, startStep, endStep }` over optimizer steps: how
 * temperatures and loss weights are scheduled in a distillation config.
 *
 * @example
 * ```ts
 * scheduledValueSchema.parse(2);
 * scheduledValueSchema.parse({ from: 4, to: 1, endStep: 1000 });
 * ```
 */
export const scheduledValueSchema = z.union([z.number().finite(), linearRampSchema]);

/** See {@link scheduledValueSchema}. */
export type ScheduledValue = z.output<typeof scheduledValueSchema>;

/**
 * The value of a {@link ScheduledValue} at `step`: constant, or linear between `startStep`
 * and `endStep`, clamped outside.
 *
 * @example
 * ```ts
 * valueAt({ from: 4, to: 1, startStep: 0, endStep: 100 }, 50); // 2.5
 * ```
 */
export function valueAt(value: ScheduledValue, step: number): number {
  if (typeof value === 'number') return value;
  const span = Math.max(value.endStep - value.startStep, 1);
  const progress = Math.min(Math.max((step - value.startStep) / span, 0), 1);
  return value.from + (value.to - value.from) * progress;
}
