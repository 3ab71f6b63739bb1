import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error';
import { describeValue, PofaError } from './pofa-error';
import { SafetensorsError } from './safetensors-error';

describe('PofaError', () => {
  it('formats what was expected, what came and the hint', () => {
    const error = new ConfigError('Invalid sparsity', { expected: 'a number in [0, 1)', received: '1.5', hint: 'Use 0.9 for 90%' });
    expect(error.message).toBe('Invalid sparsity: expected a number in [0, 1), received 1.5. Use 0.9 for 90%');
    expect(error.name).toBe('ConfigError');
    expect(error.hint).toBe('Use 0.9 for 90%');
  });

  it('recognises instances across copies of the package through Symbol.for markers', () => {
    const error = new SafetensorsError('bad');
    expect(PofaError.isInstance(error)).toBe(true);
    expect(SafetensorsError.isInstance(error)).toBe(true);
    expect(ConfigError.isInstance(error)).toBe(false);
    // An object built by another copy carries the same global symbols.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('pofa.error')]: true, [Symbol.for('pofa.error.config')]: true });
    expect(ConfigError.isInstance(foreign)).toBe(true);
    expect(PofaError.isInstance(new Error('plain'))).toBe(false);
  });

  it('describes values JSON cannot write (nesting deeper than the stack, BigInts) without throwing', () => {
    let deep: unknown[] = [];
    for (let depth = 0; depth < 20_000; depth++) deep = [deep];
    expect(describeValue(deep)).toBe('an array of 1 item');
    expect(describeValue([1n, 2n])).toBe('an array of 2 items');
    expect(describeValue([1, [2]])).toBe('[1,[2]]');
  });
});
