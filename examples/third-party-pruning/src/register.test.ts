import { RegistryError, createRegistry, defaultRegistry } from '@pofa/core';
import { describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
import { describe, expect, it } from 'vitest';
import { movementPruning } from './movement-pruning';
import { register } from './register';

describeRegistryPluginConformance('pruning-method', movementPruning);

describe('register', () => {
  it('registers example/movement in a fresh registry', () => {
    const registry = createRegistry();
    register(registry);
    expect(registry.list('pruning-method')).toEqual(['example/movement']);
    expect(registry.get('pruning-method', 'example/movement')).toBe(movementPruning);
  });

  it('throws on a second registration unless told to override', () => {
    const registry = createRegistry();
    register(registry);
    expect(() => register(registry)).toThrow(RegistryError);
    expect(() => register(registry, { override: true })).not.toThrow();
  });

  it('has no import-time side effect on the default registry', () => {
    expect(defaultRegistry.has('pruning-method', 'example/movement')).toBe(false);
  });
});
