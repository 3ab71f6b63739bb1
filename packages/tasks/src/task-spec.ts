import type { TaskSpecification } from '@pofa/core';

// A task's spec is declared once, in @pofa/core's registry (which validates it); re-exported here
// because task authors reach for it first.
export type { TaskHead, TaskSpecification } from '@pofa/core';

/**
 * The specs of the embedded tasks, keyed by their registry name. Metric names are the ones
 * `evaluate()` computes: `accuracy`, `f1` (of the class at index 1), `matthews_correlation`,
 * `pearson`, `spearman`, `mse`; the masked-LM corpus reports `loss` and `perplexity`.
 *
 * @example
 * ```ts
 * console.log(EMBEDDED_TASK_SPECIFICATIONS['embedded/sotu-party'].primaryMetric); // 'accuracy'
 * ```
 */
export const EMBEDDED_TASK_SPECIFICATIONS = {
  'embedded/spam': {
    specificationVersion: 'v1',
    name: 'embedded/spam',
    fields: ['text'],
    head: 'classification',
    labels: ['ham', 'spam'],
    metrics: ['accuracy', 'f1', 'matthews_correlation'],
    primaryMetric: 'f1',
    description: 'SpamAssassin email bodies (headers removed, MIME decoded, HTML stripped): ham or spam.',
  },
  'embedded/sotu-party': {
    specificationVersion: 'v1',
    name: 'embedded/sotu-party',
    fields: ['text'],
    head: 'classification',
    labels: ['Democratic', 'Republican'],
    metrics: ['accuracy', 'f1', 'matthews_correlation'],
    primaryMetric: 'accuracy',
    description: "A State of the Union passage: the president's party (Democratic or Republican); split by speech.",
  },
  'embedded/sotu-year': {
    specificationVersion: 'v1',
    name: 'embedded/sotu-year',
    fields: ['text'],
    head: 'regression',
    metrics: ['pearson', 'spearman', 'mse'],
    primaryMetric: 'pearson',
    description: 'A State of the Union passage: the year of its speech (regression); split by speech.',
  },
  'embedded/sotu-pair': {
    specificationVersion: 'v1',
    name: 'embedded/sotu-pair',
    fields: ['text', 'textPair'],
    head: 'classification',
    labels: ['different', 'same'],
    metrics: ['accuracy', 'f1'],
    primaryMetric: 'accuracy',
    description: 'Two State of the Union passages: from the same speech or not (balanced); split by speech.',
  },
  'embedded/mlm': {
    specificationVersion: 'v1',
    name: 'embedded/mlm',
    fields: ['text'],
    head: 'masked-lm',
    metrics: ['loss', 'perplexity'],
    primaryMetric: 'perplexity',
    description: 'Masked-LM pre-training on State of the Union passages and Moby Dick paragraphs; split by document.',
  },
} as const satisfies Record<string, TaskSpecification>;

/** The registry names of the embedded tasks. */
export type EmbeddedTaskName = keyof typeof EMBEDDED_TASK_SPECIFICATIONS;

/** Anything with a `register(kind, spec)` method, such as `@pofa/core`'s registry. */
export interface TaskRegistryLike {
  register(kind: 'task', specification: TaskSpecification, options?: { override?: boolean }): void;
}

/**
 * Registers the specs of the embedded tasks as `task` entries. Importing `@pofa/tasks` registers
 * nothing; call this once on the registry you use.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from '@pofa/core';
 * registerEmbeddedTasks(defaultRegistry);
 * ```
 */
export function registerEmbeddedTasks(registry: TaskRegistryLike, options?: { override?: boolean }): void {
  for (const specification of Object.values(EMBEDDED_TASK_SPECIFICATIONS)) {
    registry.register('task', specification, options);
  }
}
