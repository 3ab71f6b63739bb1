import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Kernel } from '../registry/specs/kernel';
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

const kernel: Kernel = {
  specificationVersion: 'v1',
  name: 'toy/identity-cpu',
  kernelName: 'ToyIdentity',
  backendName: 'cpu',
  kernelFunc: ({ inputs }) => inputs.x!,
};

describe('checkRegistryPlugin', () => {
  it('passes valid plugins of several kinds', () => {
    expect(checkRegistryPlugin('pruning-method', magnitude)).toEqual([]);
    expect(checkRegistryPlugin('task', task)).toEqual([]);
    expect(checkRegistryPlugin('kernel', kernel)).toEqual([]);
    expect(checkRegistryPlugin('model-family', { specificationVersion: 'v1', name: 'toy/none', configSchema: z.object({}), create: () => undefined as never })).toEqual([]);
  });

  it('reports each problem of an invalid plugin', () => {
    const messages = checkRegistryPlugin('task', { ...task, name: 'Spam', head: 'ranking' as never, primaryMetric: 'auc' }).map((failure) => failure.message);
    expect(messages).toEqual([
      'name: expected "scope/name" (lowercase letters, digits, single dashes), received "Spam"',
      'head: expected one of classification, regression, span, masked-lm, received "ranking"',
      'primaryMetric: expected one of the metrics (accuracy, f1), received "auc"',
    ]);
    expect(checkRegistryPlugin('pruning-method', broken.wrongVersion)[0].message).toContain('specificationVersion: expected "v1", received "v2"');
    const { kernelFunc: _dropped, ...noFunction } = kernel;
    expect(checkRegistryPlugin('kernel', noFunction as Kernel).map((failure) => failure.message)).toEqual(['kernelFunc: expected a function, received undefined']);
  });
});
