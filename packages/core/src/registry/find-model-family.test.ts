import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RegistryError } from '../errors/registry-error';
import { createRegistry } from './create-registry';
import { findModelFamily } from './find-model-family';
import type { ModelFamily } from './specs/model-family';

function family(name: string, modelType: string): ModelFamily {
  return { specificationVersion: 'v1', name, modelType, configSchema: z.object({}), create: () => undefined as never };
}

describe('findModelFamily', () => {
  it('finds the registered family by model_type, not by registry name', () => {
    const registry = createRegistry();
    const tiny = family('acme/tiny', 'acme-tiny');
    registry.register('model-family', tiny);
    registry.register('model-family', family('acme/other', 'other'));
    expect(findModelFamily(registry, 'acme-tiny')).toBe(tiny);
    expect(findModelFamily(registry, 'acme/tiny')).toBeUndefined();
    expect(findModelFamily(createRegistry(), 'acme-tiny')).toBeUndefined();
  });

  it('refuses to choose between two families that claim one model_type', () => {
    const registry = createRegistry();
    registry.register('model-family', family('acme/tiny', 'tiny'));
    registry.register('model-family', family('beta/tiny', 'tiny'));
    let caught: unknown;
    try {
      findModelFamily(registry, 'tiny');
    } catch (error) {
      caught = error;
    }
    expect(RegistryError.isInstance(caught)).toBe(true);
    expect((caught as RegistryError).message).toContain('received acme/tiny, beta/tiny');
  });
});
