import { createModifiersFromRecipe, createRegistry, initBackend, tf } from '@pofa/core';
import { describePruningMethodConformance, describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMagnitudePruning, magnitudePruning, PRUNING_MODIFIERS, registerPruning, SPARSITY_SCHEDULES } from './plugins';

describePruningMethodConformance(magnitudePruning, { options: { sparsity: 0.9 }, magnitude: true, backend: 'cpu' });
describePruningMethodConformance(createMagnitudePruning('4x1'), { options: { sparsity: 0.75 }, magnitude: true, backend: 'cpu' });
describePruningMethodConformance(createMagnitudePruning('2:4'), { options: {}, magnitude: true, backend: 'cpu' });
for (const schedule of SPARSITY_SCHEDULES) describeRegistryPluginConformance('sparsity-schedule', schedule);
for (const factory of PRUNING_MODIFIERS) describeRegistryPluginConformance('modifier', factory);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('registerPruning', () => {
  it('registers the method, the four schedules and the three modifiers, and refuses duplicates', () => {
    const registry = createRegistry();
    registerPruning(registry);
    expect(registry.list('pruning-method')).toEqual(['prune/magnitude']);
    expect(registry.list('sparsity-schedule')).toEqual(['prune/constant', 'prune/cubic', 'prune/linear', 'prune/one-shot']);
    expect(registry.list('modifier')).toEqual(['prune/gradual-magnitude', 'prune/pattern-lock', 'prune/structured']);
    expect(() => registerPruning(registry)).toThrow(/already registered/);
    registerPruning(registry, { override: true });
  });

  it('evaluates the paper\'s cubic schedule through its spec (0 → 90% over 50k steps, every 1k)', () => {
    const registry = createRegistry();
    registerPruning(registry);
    const cubic = registry.get('sparsity-schedule', 'prune/cubic');
    const options = cubic.optionsSchema.parse({ finalSparsity: 0.9, endStep: 50_000, frequency: 1000 });
    // 0.9 · (1 − (1 − 25000/50000)³) = 0.7875; held at 49k between pruning steps: 0.9 · (1 − 0.02³).
    expect(cubic.sparsityAt(25_000, options)).toBeCloseTo(0.7875, 12);
    expect(cubic.sparsityAt(49_999, options)).toBeCloseTo(0.9 * (1 - 0.02 ** 3), 12);
    expect(cubic.sparsityAt(60_000, options)).toBe(0.9);
  });

  it('builds modifiers from a recipe and names bad keys', () => {
    const registry = createRegistry();
    registerPruning(registry);
    const modifiers = createModifiersFromRecipe(
      { version: 1, modifiers: [{ type: 'prune/gradual-magnitude', finalSparsity: 0.9, endStep: 100, frequency: 10, pattern: '4x1' }, { type: 'prune/pattern-lock' }, { type: 'prune/structured', heads: 1 }] },
      registry,
    );
    expect(modifiers.map((modifier) => modifier.kind)).toEqual(['prune/gradual-magnitude', 'prune/pattern-lock', 'prune/structured']);
    expect(() => createModifiersFromRecipe({ version: 1, modifiers: [{ type: 'prune/gradual-magnitude', finalSparsity: 1.2, endStep: 100 }] }, registry)).toThrow(/finalSparsity/);
    expect(() => createModifiersFromRecipe({ version: 1, modifiers: [{ type: 'prune/gradual-magnitude', finalSparsity: 0.5, endStep: 100, pattern: '4:4' }] }, registry)).toThrow(/N must be smaller than M/);
  });

  it('uses the given importance instead of the magnitude', () => {
    const weight = tf.tensor2d([[4, 3], [2, 1]]);
    const importance = tf.tensor2d([[1, 2], [3, 4]]);
    const mask = magnitudePruning.computeMask(weight, magnitudePruning.optionsSchema.parse({ sparsity: 0.5 }), { importance });
    expect(Array.from(mask.dataSync())).toEqual([0, 0, 1, 1]);
    tf.dispose([weight, importance, mask]);
  });
});
