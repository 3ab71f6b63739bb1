import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@pofa/core';
import { computeMetrics } from './evaluate-metrics';
import { GLUE_TASKS, registerGlueTasks } from './glue-tasks';
import { GLUE_TASK_NAMES } from './formats/glue-task-name';
import { glueScore } from './metrics/glue-score';
import type { TaskSpecification } from './task-spec';

describe('GLUE task specifications', () => {
  it('describe each task with its head, fields, labels and metrics', () => {
    expect(GLUE_TASKS.mnli).toMatchObject({
      specificationVersion: 'v1',
      name: 'glue/mnli',
      fields: ['text', 'textPair'],
      head: 'classification',
      labels: ['entailment', 'neutral', 'contradiction'],
      metrics: ['accuracy'],
      primaryMetric: 'accuracy',
    });
    expect(GLUE_TASKS.cola).toMatchObject({ fields: ['text'], metrics: ['matthews_correlation'], primaryMetric: 'matthews_correlation' });
    expect(GLUE_TASKS.stsb).toMatchObject({ head: 'regression', labels: [], metrics: ['pearson', 'spearman'], primaryMetric: 'pearson' });
    expect(GLUE_TASKS.qqp).toMatchObject({ labels: ['not_duplicate', 'duplicate'], metrics: ['f1', 'accuracy'], primaryMetric: 'f1' });
    expect(GLUE_TASKS.wnli.labels).toEqual(['not_entailment', 'entailment']);
    const asTaskSpecification: TaskSpecification = GLUE_TASKS.sst2;
    expect(asTaskSpecification.metrics).toContain(asTaskSpecification.primaryMetric);
  });

  it('name labels the loader returns, and metrics the scorer and evaluate() compute alike', async () => {
    const rte = await GLUE_TASKS.rte.load(fileURLToPath(new URL('./formats/__fixtures__/glue/RTE', import.meta.url)), 'dev');
    expect(rte.labels).toEqual(GLUE_TASKS.rte.labels);
    for (const task of GLUE_TASK_NAMES) {
      const spec = GLUE_TASKS[task];
      const [predictions, labels] =
        task === 'stsb' ? [[0.5, 4, 2.5, 1], [1, 3.8, 4.6, 0]] : [[0, 1, 1, 0, 1], [0, 1, 0, 0, 1]];
      const score = spec.score(predictions, labels);
      expect(score.metrics).toEqual(computeMetrics(spec.metrics, predictions, labels, spec.labels.length));
      expect(score.primary).toBe(score.metrics[spec.primaryMetric]);
      const values = spec.metrics.map((metric) => score.metrics[metric] as number);
      expect(score.average).toBeCloseTo(values.reduce((sum, value) => sum + value, 0) / values.length, 12);
    }
  });

  it('register all nine tasks as kind "task" and forward options', () => {
    const registered: Array<[string, TaskSpecification, unknown]> = [];
    const registry = {
      register: (kind: 'task', spec: TaskSpecification, options?: { override?: boolean }) => {
        registered.push([kind, spec, options]);
      },
    };
    registerGlueTasks(registry);
    expect(registered.map(([kind, spec]) => `${kind}:${spec.name}`)).toEqual(GLUE_TASK_NAMES.map((task) => `task:glue/${task}`));
    registered.length = 0;
    registerGlueTasks(registry, { override: true });
    expect(registered.every(([, , options]) => (options as { override: boolean }).override)).toBe(true);
  });
});

describe('glueScore', () => {
  it('reports F1 and accuracy for MRPC (worked by hand)', () => {
    // tp = 2, fp = 1, fn = 0: F1 = 4 / 5; accuracy 3 / 4.
    expect(glueScore('mrpc', [1, 1, 0, 1], [1, 0, 0, 1])).toEqual({
      task: 'mrpc',
      metrics: { f1: 0.8, accuracy: 0.75 },
      primary: 0.8,
      average: 0.775,
    });
  });

  it('reports the Matthews correlation for CoLA and accuracy for MNLI', () => {
    // tp = tn = 1, fp = fn = 1: MCC = 0. With one more true negative: (tp*tn - fp*fn) / sqrt(2 * 2 * 3 * 3) = 1/6.
    expect(glueScore('cola', [1, 0, 1, 0], [1, 0, 0, 1]).primary).toBe(0);
    expect(glueScore('cola', [1, 0, 1, 0, 0], [1, 0, 0, 1, 0]).primary).toBeCloseTo(1 / 6, 12);
    expect(glueScore('mnli', [0, 1, 2, 2], [0, 1, 2, 1])).toEqual({ task: 'mnli', metrics: { accuracy: 0.75 }, primary: 0.75, average: 0.75 });
  });

  it('reports both correlations for STS-B', () => {
    const score = glueScore('stsb', [1, 2, 3, 4], [1.5, 2, 3.5, 5]);
    expect(score.metrics.spearman).toBeCloseTo(1, 12);
    expect(score.metrics.pearson).toBeLessThan(1);
    expect(score.average).toBeCloseTo(((score.metrics.pearson as number) + 1) / 2, 12);
  });

  it('rejects an unknown task', () => {
    expect(() => glueScore('squad' as 'rte', [1], [1])).toThrowError(ConfigError);
  });
});
