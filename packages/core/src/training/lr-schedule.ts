import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import type { Modifier, ModifierContext } from '../lifecycle/modifier';

/**
 * The learning rate as a function of the optimizer step (steps taken so far, so the first
 * update uses `at(0)`, as PyTorch's `LambdaLR` does). Schedules are stateless: a resumed run
 * gets the same rate from the same step.
 *
 * @example
 * ```ts
 * const cosine: LearningRateSchedule = { kind: 'example/cosine', at: (step) => 1e-3 * Math.cos((step / 1000) * Math.PI / 2) };
 * ```
 */
export interface LearningRateSchedule {
  /** `core/constant`, `core/linear-warmup`, or a plugin's namespaced name. */
  readonly kind: string;
  at(step: number): number;
}

/**
 * Options of {@link createConstantSchedule}.
 *
 * @example
 * ```ts
 * constantScheduleOptionsSchema.parse({ learningRate: 1e-3 });
 * ```
 */
export const constantScheduleOptionsSchema = z.object({ learningRate: z.number().min(0).finite() }).strict();
export type ConstantScheduleOptions = z.input<typeof constantScheduleOptionsSchema>;

/**
 * Options of {@link createLinearWarmupSchedule}.
 *
 * @example
 * ```ts
 * linearWarmupScheduleOptionsSchema.parse({ learningRate: 5e-5, warmupSteps: 100, totalSteps: 1000 });
 * ```
 */
export const linearWarmupScheduleOptionsSchema = z
  .object({
    /** The peak learning rate, reached at the end of warmup. */
    learningRate: z.number().min(0).finite(),
    /** Steps of linear increase from 0 (0 = start at the peak). */
    warmupSteps: z.number().int().min(0),
    /** The step at which the rate reaches 0 (usually the run's `maxSteps`). */
    totalSteps: z.number().int().positive(),
  })
  .strict();
export type LinearWarmupScheduleOptions = z.input<typeof linearWarmupScheduleOptionsSchema>;

function parse<T extends z.ZodTypeAny>(schema: T, options: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(`Invalid ${what} options`, {
      expected: 'finite non-negative numbers (integer step counts)',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '),
    });
  }
  return parsed.data;
}

/**
 * The same learning rate at every step.
 *
 * @example
 * ```ts
 * const schedule = createConstantSchedule({ learningRate: 1e-3 });
 * schedule.at(500); // 0.001
 * ```
 */
export function createConstantSchedule(options: ConstantScheduleOptions): LearningRateSchedule {
  const { learningRate } = parse(constantScheduleOptionsSchema, options, 'constant schedule');
  return { kind: 'core/constant', at: () => learningRate };
}

/**
 * Linear warmup from 0 to `learningRate` over `warmupSteps`, then linear decay to 0 at
 * `totalSteps`, exactly as Hugging Face's `get_linear_schedule_with_warmup`:
 * `lr · step / max(1, warmup)` during warmup, then `lr · max(0, (total − step) / max(1, total − warmup))`.
 *
 * @example
 * ```ts
 * const schedule = createLinearWarmupSchedule({ learningRate: 1e-4, warmupSteps: 10, totalSteps: 110 });
 * schedule.at(5);   // 5e-5
 * schedule.at(60);  // 5e-5
 * ```
 */
export function createLinearWarmupSchedule(options: LinearWarmupScheduleOptions): LearningRateSchedule {
  const { learningRate, warmupSteps, totalSteps } = parse(linearWarmupScheduleOptionsSchema, options, 'linear warmup schedule');
  if (warmupSteps > totalSteps) {
    throw new ConfigError('Warmup is longer than the run', {
      expected: `warmupSteps ≤ totalSteps (${totalSteps})`,
      received: String(warmupSteps),
    });
  }
  return {
    kind: 'core/linear-warmup',
    at(step) {
      if (step < warmupSteps) return (learningRate * step) / Math.max(1, warmupSteps);
      return learningRate * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    },
  };
}

/**
 * A number is shorthand for a constant schedule.
 *
 * @example
 * ```ts
 * toSchedule(1e-3).at(10); // 0.001
 * ```
 */
export function toSchedule(schedule: LearningRateSchedule | number): LearningRateSchedule {
  return typeof schedule === 'number' ? createConstantSchedule({ learningRate: schedule }) : schedule;
}

/**
 * The learning rate the optimizer uses at `context.step`: the schedule's value times the
 * product of every modifier's `learningRateFactor` (the hook learning-rate rewind uses).
 *
 * @example
 * ```ts
 * const rate = effectiveLearningRate(schedule, modifiers, context); // schedule.at(step) × Π factors
 * ```
 */
export function effectiveLearningRate(
  schedule: LearningRateSchedule,
  modifiers: readonly Modifier[],
  context: ModifierContext,
): number {
  let rate = schedule.at(context.step);
  for (const modifier of modifiers) {
    const factor = modifier.learningRateFactor?.(context) ?? 1;
    if (!Number.isFinite(factor) || factor < 0) {
      throw new ConfigError(`Modifier ${modifier.kind} returned an invalid learning-rate factor`, {
        expected: 'a finite number ≥ 0',
        received: String(factor),
        hint: `At step ${context.step}`,
      });
    }
    rate *= factor;
  }
  if (!Number.isFinite(rate) || rate < 0) {
    throw new ConfigError(`Schedule ${schedule.kind} returned an invalid learning rate`, {
      expected: 'a finite number ≥ 0',
      received: String(rate),
      hint: `At step ${context.step}`,
    });
  }
  return rate;
}
