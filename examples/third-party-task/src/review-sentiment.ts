import type { TaskSpecification } from '@pofa/core';

/**
 * Sentiment of a product review, as a task spec: one text, a classification head with the
 * classes `negative` (id 0) and `positive` (id 1), scored by accuracy, F1 (of `positive`) and
 * Matthews correlation, which ranks runs (it stays honest when one class dominates). Plain data:
 * the examples come from the user's file, which `loadRunTask` of `@pofa/tasks` reads with it.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * registry.register('task', reviewSentiment);
 * const task = await loadRunTask('example/sentiment', 'reviews.tsv', { seed: 0, limits, cwd: process.cwd(), registry });
 * task.labels; // ['negative', 'positive']
 * ```
 */
export const reviewSentiment: TaskSpecification = {
  specificationVersion: 'v1',
  name: 'example/sentiment',
  description: 'A product review: negative or positive.',
  fields: ['text'],
  head: 'classification',
  labels: ['negative', 'positive'],
  metrics: ['accuracy', 'f1', 'matthews_correlation'],
  primaryMetric: 'matthews_correlation',
};
