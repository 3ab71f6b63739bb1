import { z } from 'zod';

/**
 * The observers `createObserver` makes.
 *
 * @example
 * ```ts
 * OBSERVER_KINDS.includes('ema'); // true
 * ```
 */
export const OBSERVER_KINDS = ['min-max', 'ema', 'percentile', 'mse'] as const;

/**
 * One of {@link OBSERVER_KINDS}.
 *
 * @example
 * ```ts
 * const kind: ObserverKind = 'percentile';
 * ```
 */
export type ObserverKind = (typeof OBSERVER_KINDS)[number];

/**
 * Options of `createObserver`.
 *
 * @example
 * ```ts
 * observerOptionsSchema.parse({ kind: 'ema' }); // { kind: 'ema', averagingConstant: 0.01, ... }
 * ```
 */
export const observerOptionsSchema = z.object({
  kind: z.enum(OBSERVER_KINDS),
  /** Track one range per index along this axis (per channel); per tensor when absent. */
  axis: z.number().int().min(0).optional(),
  /** Track one range per group of this many consecutive indices along `axis` (default axis 0). */
  groupSize: z.number().int().positive().optional(),
  /** EMA weight of the newest batch, as torch's MovingAverageMinMaxObserver and Q8BERT. */
  averagingConstant: z.number().gt(0).max(1).default(0.01),
  /** Percentile observer: the range is [percentile(100 − p), percentile(p)] of each batch. */
  percentile: z.number().gt(50).max(100).default(99.99),
  /** MSE observer: the scheme whose error it minimises. */
  bits: z.number().int().min(2).max(16).default(8),
  symmetric: z.boolean().default(true),
  narrowRange: z.boolean().optional(),
  /** MSE observer: candidate ranges tried per batch (α = k / searchSteps of the observed range). */
  searchSteps: z.number().int().min(1).max(10_000).default(100),
});

/**
 * Options of `createObserver` as given (defaults optional).
 *
 * @example
 * ```ts
 * const options: ObserverOptions = { kind: 'mse', bits: 4, axis: 0 };
 * ```
 */
export type ObserverOptions = z.input<typeof observerOptionsSchema>;
