import { createModifiersFromRecipe, createRegistry, initBackend, tf } from '@pofa/core';
import { checkRegistryPlugin } from '@pofa/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { OBSERVER_SPECS, affineQuantizer, qatModifierFactory, registerQuantization } from './register-quantization';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('registerQuantization', () => {
  it('registers the QAT modifier, the affine quantizer and the four observers as valid v1 specs', () => {
    expect(checkRegistryPlugin('modifier', qatModifierFactory)).toEqual([]);
    expect(checkRegistryPlugin('quantizer', affineQuantizer)).toEqual([]);
    for (const spec of OBSERVER_SPECS) expect(checkRegistryPlugin('observer', spec)).toEqual([]);
    const registry = createRegistry();
    registerQuantization(registry);
    expect(registry.list('modifier')).toEqual(['quant/qat']);
    expect(registry.list('quantizer')).toEqual(['quant/affine']);
    expect(registry.list('observer')).toEqual(['quant/ema', 'quant/min-max', 'quant/mse', 'quant/percentile']);
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

  it('quantizes through the specs: the affine quantizer and an observer agree with a hand-worked int8 grid', () => {
    const observer = OBSERVER_SPECS.find((spec) => spec.name === 'quant/min-max')!.create(OBSERVER_SPECS[0].optionsSchema.parse({}));
    observer.observe(tf.tensor1d([-0.5, 1.27]));
    const params = affineQuantizer.quantParams(observer.range(), affineQuantizer.optionsSchema.parse({ bits: 8, symmetric: true }));
    // max |x| = 1.27 → scale 0.01; 0.333 → 33 → 0.33.
    expect(params.scale).toBeCloseTo(0.01, 7);
    const y = tf.tidy(() => affineQuantizer.fakeQuantize(tf.tensor1d([0.333, -0.5]), params).arraySync()) as number[];
    expect(y[0]).toBeCloseTo(0.33, 6);
    expect(y[1]).toBeCloseTo(-0.5, 6);
  });
});
