import { createRegistry, type DistillationLoss, initBackend, RegistryError, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DISTILLATION_LOSSES, registerLosses } from './loss-specifications';

const NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MASK = [[1, 1, 1], [1, 1, 0]];

/** A pair of inputs of the layout each loss takes, batch 2 and seq 3, made from a seed. */
function inputs(name: string, seed: number): tf.Tensor {
  const shapes: Record<string, number[]> = {
    'distill/attention-mse': [2, 2, 3, 3],
    'distill/attention-kl': [2, 2, 3, 3],
    'distill/value-relation-kl': [2, 2, 3, 4],
  };
  const normal = tf.randomNormal(shapes[name] ?? [2, 3, 5], 0, 2, 'float32', seed);
  return name === 'distill/attention-kl' ? tf.softmax(normal) : normal;
}

function value(scalar: tf.Scalar): number {
  const result = scalar.dataSync()[0];
  scalar.dispose();
  return result;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('distillation loss specs', () => {
  it('are v1 specs with unique scope/name keys in the distill scope', () => {
    const names = DISTILLATION_LOSSES.map((loss) => loss.name);
    expect(new Set(names).size).toBe(names.length);
    for (const loss of DISTILLATION_LOSSES) {
      expect(loss.specificationVersion).toBe('v1');
      expect(loss.name).toMatch(NAME_PATTERN);
      expect(loss.name.startsWith('distill/')).toBe(true);
    }
  });

  it('fill in defaults and reject a bad temperature through their schemas', () => {
    const kd = DISTILLATION_LOSSES.find((loss) => loss.name === 'distill/kd-kl-divergence');
    expect(kd?.optionsSchema.parse({})).toEqual({ temperature: 1 });
    expect(kd?.optionsSchema.safeParse({ temperature: -2 }).success).toBe(false);
  });

  it.each(DISTILLATION_LOSSES.map((loss) => [loss.name, loss] as const))('%s keeps its declared properties', (_, spec) => {
    const loss = spec as DistillationLoss<Record<string, unknown>>;
    const options = loss.optionsSchema.parse({ temperature: 2 });
    const student = inputs(loss.name, 1);
    const teacher = inputs(loss.name, 2);
    const mask = tf.tensor2d(MASK);
    const before = tf.memory().numTensors;
    const different = value(loss.compute(student, teacher, { ...options, mask }));
    const same = value(loss.compute(teacher, teacher, { ...options, mask }));
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(different)).toBe(true);
    if (loss.properties?.nonNegative) expect(different).toBeGreaterThanOrEqual(0);
    if (loss.properties?.zeroWhenEqual) {
      expect(Math.abs(same)).toBeLessThan(1e-5);
      expect(different).toBeGreaterThan(1e-3);
    }
    tf.dispose([student, teacher, mask]);
  });

  it('registerLosses registers every spec as a distillation-loss and passes override through', () => {
    const calls: Array<[string, string, unknown]> = [];
    registerLosses({ register: (kind, spec, options) => calls.push([kind, spec.name, options]) }, { override: true });
    expect(calls.map(([kind]) => kind)).toEqual(DISTILLATION_LOSSES.map(() => 'distillation-loss'));
    expect(calls.map(([, name]) => name)).toEqual(DISTILLATION_LOSSES.map((loss) => loss.name));
    expect(calls.every(([, , options]) => (options as { override?: boolean }).override === true)).toBe(true);
  });

  it('register into a real @pofa/core registry: retrievable by name, duplicates refused unless overridden', () => {
    const registry = createRegistry();
    registerLosses(registry);
    expect(registry.list('distillation-loss')).toEqual(DISTILLATION_LOSSES.map((loss) => loss.name).sort());
    const asCoreSpecs: readonly DistillationLoss[] = DISTILLATION_LOSSES;
    expect(registry.get('distillation-loss', 'distill/hidden-mse')).toBe(asCoreSpecs[3]);
    expect(() => registerLosses(registry)).toThrow(RegistryError);
    expect(() => registerLosses(registry, { override: true })).not.toThrow();
  });
});
