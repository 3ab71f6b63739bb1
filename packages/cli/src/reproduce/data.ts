import { ConfigError } from '@pofa/core';
import { loadRunTask, type GlueTaskName, type RunTask } from '@pofa/tasks';
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

/** The number of examples a run takes from each split (a seeded sample). */
export interface SplitLimits {
  train: number;
  validation: number;
  test: number;
}

/**
 * The sizes every stage of a run shares (and a change of which empties its work folder): the
 * masked-LM corpus texts, the vocabulary size, the sequence length, the batch size and the task
 * examples per split.
 */
export interface RunSizes {
  corpusTexts: number;
  vocabSize: number;
  maxLength: number;
  batchSize: number;
  taskExamples: SplitLimits;
}

/**
 * The data of each embedded scale, the same for the Prune OFA and the OFA tables: `smoke` for the
 * tests, `tiny` for minutes, `mini` for hours on two cores.
 *
 * @example
 * ```ts
 * EMBEDDED_RUN_SIZES.tiny.maxLength; // 32
 * ```
 */
export const EMBEDDED_RUN_SIZES: Readonly<Record<'smoke' | 'tiny' | 'mini', RunSizes>> = {
  smoke: { corpusTexts: 200, vocabSize: 300, maxLength: 16, batchSize: 8, taskExamples: { train: 96, validation: 32, test: 64 } },
  tiny: { corpusTexts: 1500, vocabSize: 800, maxLength: 32, batchSize: 16, taskExamples: { train: 1200, validation: 100, test: 400 } },
  mini: { corpusTexts: 20000, vocabSize: 3000, maxLength: 64, batchSize: 16, taskExamples: { train: 4000, validation: 400, test: 1000 } },
};

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
