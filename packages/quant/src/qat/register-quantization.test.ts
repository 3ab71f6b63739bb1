import { createModifiersFromRecipe, createRegistry, initBackend, SPECIFICATION_KINDS } from '@pofa/core';
import { checkRegistryPlugin } from '@pofa/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { qatModifierFactory, registerQuantization } from './register-quantization';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('registerQuantization', () => {
  it('registers the QAT modifier as a valid v1 spec, and nothing of another kind', () => {
    expect(checkRegistryPlugin('modifier', qatModifierFactory)).toEqual([]);
    const registry = createRegistry();
    registerQuantization(registry);
    for (const kind of SPECIFICATION_KINDS) expect(registry.list(kind)).toEqual(kind === 'modifier' ? ['quant/qat'] : []);
    expect(() => registerQuantization(registry)).toThrow(/already registered/);
    registerQuantization(registry, { override: true });
  });

  it('builds the QAT modifier from a recipe, with its schedule', () => {
    const registry = createRegistry();
    registerQuantization(registry);
    const [modifier] = createModifiersFromRecipe(
      { version: 1, modifiers: [{ type: 'quant/qat', start: 10, weights: { perChannel: true }, activations: { freezeAfterSteps: 50 } }] },
      registry,
    );
    expect(modifier.kind).toBe('quant/qat');
    expect((modifier as unknown as { start: number }).start).toBe(10);
    expect(() => createModifiersFromRecipe({ version: 1, modifiers: [{ type: 'quant/qat', weights: { bits: 'eight' } }] }, registry)).toThrow(/bits/);
  });
});
