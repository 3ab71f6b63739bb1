import { ConfigError, createRegistry, tf, type DistillationLoss } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDistillationModifier, type DistillationTeacher } from './create-distillation-modifier';

const teacher: DistillationTeacher = { forward: () => ({ hidden: [] }) as never, eval: () => undefined, parameters: () => [] };

const absoluteError: DistillationLoss = {
  specificationVersion: 'v1',
  name: 'third-party/absolute-error',
  optionsSchema: z.object({}).passthrough(),
  compute: (student, teacherLogits) => tf.mean(tf.abs(tf.sub(student, teacherLogits))) as tf.Scalar,
};

describe('createDistillationModifier and the registry', () => {
  it('resolves a soft loss registered by a third party only when given the registry', () => {
    const registry = createRegistry();
    registry.register('distillation-loss', absoluteError);
    const config = { softLoss: 'third-party/absolute-error' };
    expect(() => createDistillationModifier({ teacher, config })).toThrow(ConfigError);
    expect(() => createDistillationModifier({ teacher, config })).toThrow(/`registry` they are registered in/);
    expect(createDistillationModifier({ teacher, config, registry }).config.softLoss).toBe('third-party/absolute-error');
  });
});
