import type { TaskRegistryLike, TaskSpecification } from './task-spec';

/**
 * SQuAD v1.1 as a task spec: span question answering over (question, context) pairs, scored
 * by the official exact match and F1 (`squadScores`), F1 primary as in the paper's table.
 * Load the data with `loadSquad`, build windows with `createSquadFeatures`, and turn start/end
 * logits back into answers with `postprocessSquad`.
 *
 * @example
 * ```ts
 * registerSquadTask(registry);
 * registry.get('task', 'squad/v1-1').primaryMetric; // 'f1'
 * ```
 */
export const SQUAD_TASK: TaskSpecification = {
  specificationVersion: 'v1',
  name: 'squad/v1-1',
  fields: ['question', 'context'],
  head: 'span',
  metrics: ['exact_match', 'f1'],
  primaryMetric: 'f1',
  description: 'SQuAD v1.1 extractive question answering (official exact match and F1)',
};

/** Registers {@link SQUAD_TASK} as a `task` in `registry`. */
export function registerSquadTask(registry: TaskRegistryLike, options?: { override?: boolean }): void {
  registry.register('task', SQUAD_TASK, options);
}
