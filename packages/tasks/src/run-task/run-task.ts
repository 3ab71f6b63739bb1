import { createRandom, type Registry, type TaskSpecification } from '@pofa/core';
import type { BatchableExample } from '../batching/index';
import type { SquadExample } from '../formats/index';

/**
 * A sequence-level labelled task (classification or regression) as a run uses it: three splits,
 * labels, and the spec `evaluate()` scores with. `kind` tells it from a span task ({@link SpanRunTask}).
 *
 * @example
 * ```ts
 * const task: RunTask = await loadRunTask('spam', undefined, { seed: 0, limits, cwd: process.cwd() });
 * task.labels; // ['ham', 'spam']
 * ```
 */
export interface RunTask {
  kind: 'classification';
  /** `spam`, `glue/sst2`, `file:<name>`, or a registered task's `scope/name`. */
  name: string;
  train: BatchableExample[];
  validation: BatchableExample[];
  test: BatchableExample[];
  /** MNLI only: the mismatched dev split (`dev_mismatched.tsv`) when the folder has it; `test` is the matched one. */
  testMismatched?: BatchableExample[];
  labels: string[];
  regression: boolean;
  labelScale?: { mean: number; std: number };
  specification: TaskSpecification;
  /** What identifies the data (for cache keys): the task name, or a file's path, size and modification time. */
  identity: unknown;
}

/**
 * SQuAD v1.1 as a run uses it: questions with their context and gold answers, in three splits.
 *
 * @example
 * ```ts
 * const task: SpanRunTask = await loadSquadRunTask('squad/', { seed: 0, limits, cwd: process.cwd() });
 * task.test[0].answers[0]; // { text: 'Denver Broncos', answerStart: 177 }
 * ```
 */
export interface SpanRunTask {
  kind: 'span';
  name: 'squad';
  train: SquadExample[];
  validation: SquadExample[];
  /** The official dev set (`dev-v1.1.json`), the split the paper reports. */
  test: SquadExample[];
  specification: TaskSpecification;
  /** What identifies the data (for cache keys): the files' paths, sizes and modification times. */
  identity: unknown;
}

/** How the labels of a user `.tsv`/`.jsonl` file are typed: as read (integers are classes, other numbers targets), or forced. */
export type LabelTyping = 'classes' | 'regression';

/**
 * The split limits and seed of a run, as `loadRunTask`, `loadSquadRunTask` and `loadAnyRunTask` take them.
 *
 * @example
 * ```ts
 * const options: RunTaskOptions = { seed: 0, limits: { train: 4000, validation: 300, test: 565 }, cwd: process.cwd() };
 * ```
 */
export interface RunTaskOptions {
  seed: number;
  limits: { train: number; validation: number; test: number };
  /** The folder relative task files and data folders are resolved against. */
  cwd: string;
  /** How the labels of a user `.tsv`/`.jsonl` file are typed (default: integers are classes, other numbers regression targets). */
  labels?: LabelTyping;
  /** Where a `scope/name` task is looked up (default: `defaultRegistry` of `@pofa/core`). */
  registry?: Registry;
}

/**
 * At most `limit` of `items`, drawn with a seeded shuffle and kept in their order (all of them
 * when there are no more than `limit`).
 *
 * @example
 * ```ts
 * sampleSplit(task.test, 500, seed + 2);
 * ```
 */
export function sampleSplit<T>(items: readonly T[], limit: number, seed: number): T[] {
  if (items.length <= limit) return [...items];
  const random = createRandom(seed);
  const order = items.map((_, index) => index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, limit).sort((a, b) => a - b).map((index) => items[index]);
}

/**
 * MNLI's mismatched dev set as a task of its own (`glue/mnli-mm`, its `test` split), scored
 * with the same models as the matched one; undefined for every other task.
 *
 * @example
 * ```ts
 * const mm = mismatchedTask(task); // { name: 'glue/mnli-mm', test: task.testMismatched, ... }
 * ```
 */
export function mismatchedTask(task: RunTask): RunTask | undefined {
  if (task.testMismatched === undefined || task.testMismatched.length === 0) return undefined;
  return { ...task, name: `${task.name}-mm`, test: task.testMismatched };
}
