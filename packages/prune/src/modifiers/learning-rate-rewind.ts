/** The run and pruning window a learning-rate rewind needs, in optimizer steps. */
export interface LearningRateRewindWindow {
  /** Warmup of the Trainer's linear schedule (`createLinearWarmupSchedule`). */
  warmupSteps: number;
  /** Where the Trainer's linear schedule reaches 0 (its `totalSteps`). */
  totalSteps: number;
  /** First step of the pruning policy (`policy_begin_step`). */
  startStep: number;
  /** Step where the policy reaches its final sparsity (`policy_end_step`). */
  endStep: number;
  /** Pruning frequency: the rate rewinds at the start of each interval. */
  frequency: number;
}

/**
 * The learning-rate multiplier of the official Prune OFA runs (`--lr_rewind`, the
 * Model-Compression-Research-Package's `get_linear_rewinding_schedule_with_warmup`): linear
 * warmup, then a linear decay over the steps OUTSIDE the pruning window
 * (`totalSteps − (endStep − startStep)`); inside the window the decay clock stands still at
 * `startStep` and, within each pruning interval, runs from the interval's start again — the
 * rate jumps back up at every pruning step.
 *
 * @example
 * ```ts
 * const window = { warmupSteps: 0, totalSteps: 100, startStep: 0, endStep: 50, frequency: 10 };
 * rewoundLinearMultiplier(0, window);  // 1
 * rewoundLinearMultiplier(9, window);  // 0.82 = (50 − 9) / 50
 * rewoundLinearMultiplier(10, window); // 1 (rewound)
 * rewoundLinearMultiplier(75, window); // 0.5 = (100 − 75) / 50
 * ```
 */
export function rewoundLinearMultiplier(step: number, window: LearningRateRewindWindow): number {
  const { warmupSteps, totalSteps, startStep, endStep, frequency } = window;
  const pruneInterval = endStep - startStep;
  const withoutPruning = totalSteps - pruneInterval;
  const span = Math.max(1, withoutPruning - warmupSteps);
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  if (step >= startStep && step < endStep) {
    const rewind = Math.floor((step - startStep) / frequency) * frequency;
    return Math.max(0, (withoutPruning - step + rewind) / span);
  }
  const before = step < startStep ? pruneInterval : 0;
  return Math.max(0, (totalSteps - before - step) / span);
}

/** Hugging Face's linear warmup multiplier (what `createLinearWarmupSchedule` uses). */
function linearMultiplier(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/**
 * The factor a modifier's `learningRateFactor` returns so that the Trainer's
 * `createLinearWarmupSchedule({ learningRate, warmupSteps, totalSteps })` times it equals
 * {@link rewoundLinearMultiplier} × `learningRate` (1 where the linear schedule is 0).
 *
 * @example
 * ```ts
 * rewindFactor(10, { warmupSteps: 0, totalSteps: 100, startStep: 0, endStep: 50, frequency: 10 }); // 1 / 0.9
 * ```
 */
export function rewindFactor(step: number, window: LearningRateRewindWindow): number {
  const base = linearMultiplier(step, window.warmupSteps, window.totalSteps);
  return base === 0 ? 1 : rewoundLinearMultiplier(step, window) / base;
}
