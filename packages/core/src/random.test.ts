import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors/config-error';
import { createRandom } from './random';

describe('createRandom', () => {
  it('repeats a sequence from a saved state and differs between seeds', () => {
    const random = createRandom(7);
    random.next();
    const saved = random.state();
    const first = [random.next(), random.int(1000), random.normal()];
    random.setState(saved);
    expect([random.next(), random.int(1000), random.normal()]).toEqual(first);
    expect(createRandom(8).next()).not.toBe(createRandom(7).next());
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
  });

  it('draws uniform floats in [0, 1) with the moments of a uniform distribution', () => {
    const random = createRandom(1);
    const n = 20000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const x = random.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
      sumSquares += x * x;
    }
    // mean 1/2 and variance 1/12; the mean's standard error is sqrt(1/12/n) ≈ 0.002, allow 5σ.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(sumSquares / n - (sum / n) ** 2 - 1 / 12)).toBeLessThan(0.005);
  });

  it('skips exactly as many draws as next() would make', () => {
    const stepped = createRandom(9);
    for (let i = 0; i < 1001; i++) stepped.next();
    const skipped = createRandom(9);
    skipped.skip(1001);
    expect(skipped.state()).toEqual(stepped.state());
    expect(skipped.next()).toBe(stepped.next());
  });

  it('shuffles into a permutation and rejects bad seeds and states', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = createRandom(2).shuffle([...items]);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(() => createRandom(1.5)).toThrow(ConfigError);
    expect(() => createRandom(1).setState([1, 2, 3] as never)).toThrow(/four uint32/);
  });
});
