import { heldProgress, parseGradualOptions, type GradualScheduleOptions } from './sparsity-schedule-options';

/** Options of a schedule evaluated at one step. */
export type ScheduleQuery = GradualScheduleOptions & { step: number };

function gate(query: ScheduleQuery, between: (progress: number, initial: number, final: number) => number): number {
  const { step: _step, ...rest } = query;
  const options = parseGradualOptions(rest);
  if (query.step < options.startStep) return options.initialSparsity;
  if (query.step >= options.endStep) return options.finalSparsity;
  return between(heldProgress(query.step, options), options.initialSparsity, options.finalSparsity);
}

/**
 * Cubic gradual magnitude pruning (Zhu & Gupta, 2017):
 * s = s_f + (s_i − s_f)(1 − (t − t0)/(t1 − t0))³, with t held at the last multiple of
 * `frequency` since `startStep`; s_i before `startStep`, s_f from `endStep` on.
 *
 * @example
 * ```ts
 * // The paper: 0 → 90% over steps 0–50k, masks updated every 1k steps.
 * cubicSparsity({ step: 25_000, finalSparsity: 0.9, startStep: 0, endStep: 50_000, frequency: 1000 }); // 0.7875
 * ```
 */
export function cubicSparsity(query: ScheduleQuery): number {
  return gate(query, (progress, initial, final) => final + (initial - final) * (1 - progress) ** 3);
}

/** Linear ramp from s_i to s_f between `startStep` and `endStep`, held between pruning steps. */
export function linearSparsity(query: ScheduleQuery): number {
  return gate(query, (progress, initial, final) => initial + (final - initial) * progress);
}

/** One-shot pruning: s_i before `startStep`, s_f from `startStep` on (`endStep` is ignored). */
export function oneShotSparsity(query: Omit<ScheduleQuery, 'endStep'> & { endStep?: number }): number {
  const { step: _step, ...rest } = query;
  const options = parseGradualOptions({ ...rest, endStep: rest.endStep ?? (rest.startStep ?? 0) + 1 });
  return query.step < options.startStep ? options.initialSparsity : options.finalSparsity;
}

/** Constant sparsity: s_f at every step (a fixed target, or a pattern kept as it is). */
export function constantSparsity(query: Pick<ScheduleQuery, 'step' | 'finalSparsity'>): number {
  return parseGradualOptions({ finalSparsity: query.finalSparsity, endStep: 1 }).finalSparsity;
}
