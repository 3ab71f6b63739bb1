import { ConfigError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { constantSparsity, cubicSparsity, linearSparsity, oneShotSparsity } from './gradual-schedules';

const paper = { initialSparsity: 0, finalSparsity: 0.9, startStep: 0, endStep: 50_000, frequency: 1000 };

describe('cubicSparsity', () => {
  it('follows s_f + (s_i − s_f)(1 − (t − t0)/(t1 − t0))³ at values worked by hand', () => {
    // t = 25k: 0.9 − 0.9·0.5³ = 0.9 − 0.1125 = 0.7875
    expect(cubicSparsity({ ...paper, step: 25_000 })).toBeCloseTo(0.7875, 12);
    // t = 10k: 0.9 − 0.9·0.8³ = 0.9 − 0.4608 = 0.4392
    expect(cubicSparsity({ ...paper, step: 10_000 })).toBeCloseTo(0.4392, 12);
    // step 10 999 is held at the last pruning step, 10k
    expect(cubicSparsity({ ...paper, step: 10_999 })).toBeCloseTo(0.4392, 12);
    // t = 49k: 0.9 − 0.9·0.02³ = 0.9 − 0.0000072
    expect(cubicSparsity({ ...paper, step: 49_500 })).toBeCloseTo(0.8999928, 12);
  });

  it('holds s_i before the start and s_f from the end on', () => {
    const delayed = { initialSparsity: 0.2, finalSparsity: 0.85, startStep: 100, endStep: 300, frequency: 50 };
    expect(cubicSparsity({ ...delayed, step: 0 })).toBe(0.2);
    expect(cubicSparsity({ ...delayed, step: 99 })).toBe(0.2);
    expect(cubicSparsity({ ...delayed, step: 100 })).toBeCloseTo(0.2, 12);
    // t = 200: 0.85 + (0.2 − 0.85)·0.5³ = 0.85 − 0.08125 = 0.76875
    expect(cubicSparsity({ ...delayed, step: 249 })).toBeCloseTo(0.76875, 12);
    expect(cubicSparsity({ ...delayed, step: 300 })).toBe(0.85);
    expect(cubicSparsity({ ...delayed, step: 10_000 })).toBe(0.85);
  });

  it('never decreases over the window', () => {
    let previous = -1;
    for (let step = 0; step <= 60_000; step += 500) {
      const value = cubicSparsity({ ...paper, step });
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });
});

describe('other schedules', () => {
  it('linear ramps proportionally, held between pruning steps', () => {
    expect(linearSparsity({ ...paper, step: 25_000 })).toBeCloseTo(0.45, 12);
    expect(linearSparsity({ ...paper, step: 25_999 })).toBeCloseTo(0.45, 12);
    expect(linearSparsity({ ...paper, step: 26_000 })).toBeCloseTo(0.468, 12);
  });

  it('one-shot jumps at the start step; constant is flat', () => {
    expect(oneShotSparsity({ finalSparsity: 0.9, startStep: 10, step: 9 })).toBe(0);
    expect(oneShotSparsity({ finalSparsity: 0.9, startStep: 10, step: 10 })).toBe(0.9);
    expect(constantSparsity({ finalSparsity: 0.85, step: 123 })).toBe(0.85);
  });

  it('rejects a sparsity outside [0, 1) and an end before the start, naming the field', () => {
    expect(() => cubicSparsity({ ...paper, finalSparsity: 1, step: 0 })).toThrow(/finalSparsity/);
    expect(() => cubicSparsity({ ...paper, initialSparsity: -0.1, step: 0 })).toThrow(ConfigError);
    expect(() => cubicSparsity({ ...paper, startStep: 500, endStep: 100, step: 0 })).toThrow(/endStep must come after startStep/);
    expect(() => cubicSparsity({ ...paper, frequency: 0, step: 0 })).toThrow(/frequency/);
  });
});
