import { ConfigError } from '@pofa/core';
import { loadRunTask, type GlueTaskName, type RunTask } from '@pofa/tasks';
import type { SplitLimits } from '../pipeline/scales';
import type { EncodableText } from '../pipeline/text-encoder';

/**
 * The embedded tasks, in the column order of the tables.
 *
 * @example
 * ```ts
 * EMBEDDED_TASKS.includes('spam'); // true
 * ```
 */
export const EMBEDDED_TASKS = ['spam', 'sotu-party', 'sotu-pair', 'sotu-year'] as const;

/**
 * An embedded task (`spam`, `sotu-party`, `sotu-pair`, `sotu-year`) with each split cut to
 * `limits` (a seeded sample, as `pofa compress` draws it), its labels and specification.
 *
 * @example
 * ```ts
 * const task = await loadEmbeddedTask('spam', { train: 800, validation: 100, test: 300 }, 0);
 * task.specification.primaryMetric; // 'f1'
 * ```
 */
export async function loadEmbeddedTask(name: string, limits: SplitLimits, seed: number): Promise<RunTask> {
  if (!(EMBEDDED_TASKS as readonly string[]).includes(name)) {
    throw new ConfigError(`Unknown embedded task ${JSON.stringify(name)}`, { expected: EMBEDDED_TASKS.join(', '), received: JSON.stringify(name) });
  }
  return loadRunTask(name, undefined, { seed, limits, cwd: process.cwd() });
}

/**
 * A GLUE task from its folder (as `download_glue_data.py` writes it): 5% of train held out for
 * validation, and the dev set (`dev_matched` for MNLI) as the test split, since GLUE's test
 * labels are hidden. Named by its GLUE name (`sst2`), the column of the paper's table.
 *
 * @example
 * ```ts
 * const task = await loadGlueRunTask('sst2', 'glue_data/SST-2', { train: Infinity, validation: 2000, test: Infinity }, 0);
 * ```
 */
export async function loadGlueRunTask(name: GlueTaskName, dir: string, limits: SplitLimits, seed: number): Promise<RunTask> {
  return { ...(await loadRunTask(name, dir, { seed, limits, cwd: process.cwd() })), name };
}

/**
 * Every text of a task's splits, for `prepareEncoder`.
 *
 * @example
 * ```ts
 * const encoder = await prepareEncoder(vocab, [...texts.map((text) => ({ text })), ...taskTexts(task)], 64);
 * ```
 */
export function taskTexts(task: RunTask): EncodableText[] {
  return [...task.train, ...task.validation, ...task.test];
}
