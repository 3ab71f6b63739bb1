import { ConfigError } from '@pofa/core';
import { z } from 'zod';

/** Options shared by the gradual schedules (steps are optimizer steps). */
export const gradualScheduleOptionsSchema = z
  .object({
    initialSparsity: z.number().min(0).lt(1).default(0),
    finalSparsity: z.number().min(0).lt(1),
    startStep: z.number().int().min(0).default(0),
    endStep: z.number().int().positive(),
    frequency: z.number().int().positive().default(1),
  })
  .strict();

export type GradualScheduleOptions = z.input<typeof gradualScheduleOptionsSchema>;
type ParsedOptions = z.output<typeof gradualScheduleOptionsSchema>;

/** Validates schedule options, with a ConfigError naming the offending field. */
export function parseGradualOptions(options: GradualScheduleOptions): ParsedOptions {
  const parsed = gradualScheduleOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid sparsity schedule option "${issue.path.join('.')}"`, {
      expected: issue.message,
      received: JSON.stringify((options as Record<string, unknown>)[String(issue.path[0])]),
      hint: 'Sparsities are fractions in [0, 1); steps are non-negative integers with endStep > startStep',
    });
  }
  if (parsed.data.endStep <= parsed.data.startStep) {
    throw new ConfigError('Invalid sparsity schedule: endStep must come after startStep', {
      expected: `endStep > ${parsed.data.startStep}`,
      received: String(parsed.data.endStep),
    });
  }
  return parsed.data;
}

/**
 * The fraction of the pruning window elapsed at `step`, with the step held at the last
 * multiple of `frequency` since `startStep` (masks only change on pruning steps).
 */
export function heldProgress(step: number, options: ParsedOptions): number {
  const held = options.startStep + Math.floor((step - options.startStep) / options.frequency) * options.frequency;
  return (held - options.startStep) / (options.endStep - options.startStep);
}
