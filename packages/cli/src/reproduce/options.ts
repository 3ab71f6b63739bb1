import type { ProgressStream } from '@pofa/core';
import { z } from 'zod';

/**
 * A line logger option.
 *
 * @example
 * ```ts
 * logSchema.parse((line: string) => console.error(line));
 * ```
 */
export const logSchema = z.custom<(line: string) => void>((value) => typeof value === 'function', { message: 'expected a function (line) => void' });

/**
 * Where stage progress bars go (`false`: none).
 *
 * @example
 * ```ts
 * progressSchema.parse(process.stderr);
 * ```
 */
export const progressSchema = z.union([
  z.literal(false),
  z.custom<ProgressStream>((value) => typeof value === 'object' && value !== null && typeof (value as ProgressStream).write === 'function', { message: 'expected a stream with write()' }),
]);

/**
 * The stop signal of a run (Ctrl-C).
 *
 * @example
 * ```ts
 * signalSchema.parse(new AbortController().signal);
 * ```
 */
export const signalSchema = z.custom<AbortSignal>((value) => value instanceof AbortSignal, { message: 'expected an AbortSignal' });

/**
 * The options every reproduce runner shares: where results and stage outputs go, the seed,
 * logging, progress and the stop signal.
 *
 * @example
 * ```ts
 * const schema = z.object({ scale: z.enum(['tiny']), ...runnerOptionsShape }).strict();
 * ```
 */
export const runnerOptionsShape = {
  /** The folder of the result files (JSON, Markdown, SVG). */
  out: z.string().min(1),
  /** The folder of the stage outputs (default `<out>/work/<benchmark>-<scale>`); a stopped run continues from it. */
  work: z.string().min(1).optional(),
  seed: z.number().int().default(0),
  log: logSchema.optional(),
  progress: progressSchema.default(false),
  signal: signalSchema.optional(),
};
