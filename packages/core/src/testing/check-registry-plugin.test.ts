import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelFamily } from '../registry/specs/model-family';
import type { TaskSpecification } from '../registry/specs/task-specification';
import { checkRegistryPlugin } from './check-registry-plugin';
import { broken, magnitude } from './__fixtures__/toy-pruning-methods';

const task: TaskSpecification = {
  specificationVersion: 'v1',
  name: 'toy/spam',
  fields: ['text'],
  head: 'classification',
  labels: ['ham', 'spam'],
  metrics: ['accuracy', 'f1'],
  primaryMetric: 'f1',
};

const family: ModelFamily = {
  specificationVersion: 'v1',
  name: 'toy/none',
  modelType: 'toy-none',
  configSchema: z.object({}),
  create: () => undefined as never,
};

describe('checkRegistryPlugin', () => {
  it('passes valid plugins of several kinds', () => {
    expect(checkRegistryPlugin('pruning-method', magnitude)).toEqual([]);
    expect(checkRegistryPlugin('task', task)).toEqual([]);
    expect(checkRegistryPlugin('model-family', family)).toEqual([]);
  });

  it('reports each problem of an invalid plugin', () => {
    const messages = checkRegistryPlugin('task', { ...task, name: 'Spam', head: 'ranking' as never, primaryMetric: 'auc' }).map((failure) => failure.message);
    expect(messages).toEqual([
      'name: expected "scope/name" (lowercase letters, digits, single dashes), received "Spam"',
      'head: expected one of classification, regression, span, masked-lm, received "ranking"',
      'primaryMetric: expected one of the metrics (accuracy, f1), received "auc"',
    ]);
    expect(checkRegistryPlugin('pruning-method', broken.wrongVersion)[0].message).toContain('specificationVersion: expected "v1", received "v2"');
    const { modelType: _dropped, ...noModelType } = family;
    expect(checkRegistryPlugin('model-family', noModelType as ModelFamily).map((failure) => failure.message)).toEqual(['modelType: expected a non-empty string, received undefined']);
  });
});
