import { describe, expect, it } from 'vitest';
import { EVALUATION_METRICS } from './evaluate-metrics';
import { EMBEDDED_TASK_SPECIFICATIONS, registerEmbeddedTasks, type TaskSpecification } from './task-spec';

describe('embedded task specifications', () => {
  it('are well formed: primary metric among the metrics, labels for classification, metrics evaluate() knows', () => {
    for (const [name, specification] of Object.entries(EMBEDDED_TASK_SPECIFICATIONS) as Array<[string, TaskSpecification]>) {
      expect(specification.name).toBe(name);
      expect(specification.specificationVersion).toBe('v1');
      expect(specification.metrics).toContain(specification.primaryMetric);
      expect(specification.labels !== undefined).toBe(specification.head === 'classification');
      if (specification.head !== 'masked-lm') {
        for (const metric of specification.metrics) expect(EVALUATION_METRICS[metric]).toBeTypeOf('function');
      }
    }
    expect(EMBEDDED_TASK_SPECIFICATIONS['embedded/sotu-pair'].fields).toEqual(['text', 'textPair']);
  });

  it('registers every spec under the task kind of any registry-like object', () => {
    const registered: Array<[string, TaskSpecification, unknown]> = [];
    registerEmbeddedTasks({ register: (kind, specification, options) => registered.push([kind, specification, options]) }, { override: true });
    expect(registered.map(([kind, specification]) => `${kind}:${specification.name}`)).toEqual([
      'task:embedded/spam',
      'task:embedded/sotu-party',
      'task:embedded/sotu-year',
      'task:embedded/sotu-pair',
      'task:embedded/mlm',
    ]);
    expect(registered[0][2]).toEqual({ override: true });
  });
});
