import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RegistryError } from '../errors/registry-error';
import { createRegistry } from './create-registry';
import { defaultRegistry } from './default-registry';
import { SPECIFICATION_KINDS } from './specification-kinds';
import type { PruningMethod } from './specs/pruning-method';
import type { TaskSpecification } from './specs/task-specification';

function pruningMethod(name: string): PruningMethod<{ sparsity: number }> {
  return {
    specificationVersion: 'v1',
    name,
    optionsSchema: z.object({ sparsity: z.number() }),
    computeMask: (weight) => weight,
  };
}

const sst2: TaskSpecification = {
  specificationVersion: 'v1',
  name: 'glue/sst-2',
  fields: ['sentence'],
  head: 'classification',
  labels: ['negative', 'positive'],
  metrics: ['accuracy'],
  primaryMetric: 'accuracy',
};

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the action to throw');
}

describe('createRegistry', () => {
  it('starts empty: importing registers nothing, not even into the default registry', () => {
    for (const kind of SPECIFICATION_KINDS) expect(defaultRegistry.list(kind)).toEqual([]);
  });

  it('returns the registered spec by kind and name, and keeps kinds apart', () => {
    const registry = createRegistry();
    const method = pruningMethod('acme/magnitude');
    registry.register('pruning-method', method);
    registry.register('task', sst2);
    const found: PruningMethod = registry.get('pruning-method', 'acme/magnitude');
    expect(found).toBe(method);
    expect(registry.get('task', 'glue/sst-2')).toBe(sst2);
    expect(registry.has('pruning-method', 'acme/magnitude')).toBe(true);
    expect(registry.has('sparsity-schedule', 'acme/magnitude')).toBe(false);
    expect(registry.list('task')).toEqual(['glue/sst-2']);
  });

  it('lists names sorted and unregisters them', () => {
    const registry = createRegistry();
    for (const name of ['acme/zeta', 'acme/alpha', 'beta/mid']) registry.register('pruning-method', pruningMethod(name));
    expect(registry.list('pruning-method')).toEqual(['acme/alpha', 'acme/zeta', 'beta/mid']);
    expect(registry.unregister('pruning-method', 'acme/zeta')).toBe(true);
    expect(registry.unregister('pruning-method', 'acme/zeta')).toBe(false);
    expect(registry.list('pruning-method')).toEqual(['acme/alpha', 'beta/mid']);
  });

  it('throws on a duplicate name unless override is set', () => {
    const registry = createRegistry();
    registry.register('pruning-method', pruningMethod('acme/magnitude'));
    const replacement = pruningMethod('acme/magnitude');
    const error = thrown(() => registry.register('pruning-method', replacement));
    expect(RegistryError.isInstance(error)).toBe(true);
    expect(error.message).toContain('already registered');
    expect(error.message).toContain('override: true');
    registry.register('pruning-method', replacement, { override: true });
    expect(registry.get('pruning-method', 'acme/magnitude')).toBe(replacement);
  });

  it.each(['magnitude', 'Acme/magnitude', 'acme/', 'acme/a_b', 'a/b/c', 'acme/-x', 'acme/x--y', ''])(
    'rejects the malformed name %j, naming the pattern',
    (name) => {
      const error = thrown(() => createRegistry().register('pruning-method', pruningMethod(name)));
      expect(RegistryError.isInstance(error)).toBe(true);
      expect(error.message).toContain('scope/name');
    },
  );

  it('accepts digits and inner dashes on both sides', () => {
    const registry = createRegistry();
    registry.register('pruning-method', pruningMethod('acme-2/block-4x1'));
    expect(registry.list('pruning-method')).toEqual(['acme-2/block-4x1']);
  });

  it('lists the known names and suggests the closest one for an unknown name', () => {
    const registry = createRegistry();
    for (const name of ['prune/magnitude', 'prune/block', 'prune/n-of-m']) registry.register('pruning-method', pruningMethod(name));
    const error = thrown(() => registry.get('pruning-method', 'prune/magnitud'));
    expect(RegistryError.isInstance(error)).toBe(true);
    expect(error.message).toContain('one of prune/block, prune/magnitude, prune/n-of-m');
    expect(error.message).toContain('Did you mean "prune/magnitude"?');
    expect(thrown(() => registry.get('model-family', 'acme/tiny')).message).toContain('none are registered');
  });

  it('rejects a spec of another specification version with a clear message', () => {
    const spec = { ...pruningMethod('acme/magnitude'), specificationVersion: 'v2' } as unknown as PruningMethod;
    const error = thrown(() => createRegistry().register('pruning-method', spec));
    expect(RegistryError.isInstance(error)).toBe(true);
    expect(error.message).toContain('specificationVersion: expected "v1", received "v2"');
  });

  it('rejects a spec that lacks what its kind requires', () => {
    const noMask = { specificationVersion: 'v1', name: 'acme/broken', optionsSchema: z.object({}) } as unknown as PruningMethod;
    expect(thrown(() => createRegistry().register('pruning-method', noMask)).message).toContain('computeMask: expected a function');
    const badTask = { ...sst2, primaryMetric: 'f1' };
    expect(thrown(() => createRegistry().register('task', badTask)).message).toContain('primaryMetric: expected one of the metrics (accuracy)');
  });

  it('rejects an unknown kind, including the kinds that were removed because nothing looked them up', () => {
    const error = thrown(() => createRegistry().list('pruning' as never));
    expect(RegistryError.isInstance(error)).toBe(true);
    expect(error.message).toContain('pruning-method');
    for (const removed of ['kernel', 'quantizer', 'observer']) {
      expect(thrown(() => createRegistry().register(removed as never, pruningMethod('acme/x') as never)).message).toContain('Unknown plugin kind');
    }
  });

  it('holds exactly the kinds pofa looks up', () => {
    expect([...SPECIFICATION_KINDS]).toEqual(['pruning-method', 'sparsity-schedule', 'distillation-loss', 'task', 'model-family', 'modifier']);
  });
});
