import { describe, expect, it } from 'vitest';
import { allocateBits, omegaOf, quantizedBytes, type LayerSensitivity } from './bit-allocation';

// Ω = trace/n · perturbation, worked by hand:
//   A: 100/1000 = 0.1   → Ω(2, 4, 8) = 4, 0.4, 0.002        bytes 250, 500, 1000
//   B: 10/1000  = 0.01  → Ω = 0.4, 0.04, 0.0002              bytes 250, 500, 1000
//   C: 1/2000 = 0.0005  → Ω = 0.04, 0.004, 0.00002           bytes 500, 1000, 2000
const layers: LayerSensitivity[] = [
  { name: 'A', parameterCount: 1000, trace: 100, perturbation: { 2: 40, 4: 4, 8: 0.02 } },
  { name: 'B', parameterCount: 1000, trace: 10, perturbation: { 2: 40, 4: 4, 8: 0.02 } },
  { name: 'C', parameterCount: 2000, trace: 1, perturbation: { 2: 80, 4: 8, 8: 0.04 } },
];

function bruteForce(budget: number): { bits: number[]; omega: number } {
  let best = { bits: [0, 0, 0], omega: Infinity };
  for (const a of [2, 4, 8]) {
    for (const b of [2, 4, 8]) {
      for (const c of [2, 4, 8]) {
        const bits = [a, b, c];
        const bytes = bits.reduce((sum, width, index) => sum + quantizedBytes(layers[index].parameterCount, width), 0);
        const omega = bits.reduce((sum, width, index) => sum + omegaOf(layers[index], width), 0);
        if (bytes <= budget && omega < best.omega) best = { bits, omega };
      }
    }
  }
  return best;
}

describe('allocateBits', () => {
  it('keeps 8 bits for the sharpest layer and drops the flattest to 2 (hand-worked case)', () => {
    // Within 2000 bytes: A8 + B4 + C2 = 1000 + 500 + 500 bytes, ΣΩ = 0.002 + 0.04 + 0.04 = 0.082,
    // against 0.44 (A4 B8 C2), 0.442 (A8 B2 C2) and 0.444 (A4 B4 C4).
    const plan = allocateBits(layers, { bitChoices: [2, 4, 8], budgetBytes: 2000 });
    expect(plan.layers.map((layer) => layer.bits)).toEqual([8, 4, 2]);
    expect(plan.totalBytes).toBe(2000);
    expect(plan.totalOmega).toBeCloseTo(0.082, 10);
    expect(plan.layers[0]).toMatchObject({ name: 'A', bytes: 1000, trace: 100 });
  });

  it('matches exhaustive search on every budget', () => {
    for (const budget of [1000, 1250, 1500, 1750, 2000, 2500, 3000, 3500, 4000]) {
      const plan = allocateBits(layers, { budgetBytes: budget });
      const expected = bruteForce(budget);
      expect(plan.layers.map((layer) => layer.bits)).toEqual(expected.bits);
      expect(plan.totalBytes).toBeLessThanOrEqual(budget);
    }
  });

  it('follows the sensitivity: swapping traces swaps the bits', () => {
    const swapped = [
      { ...layers[0], trace: 10 },
      { ...layers[1], trace: 100 },
      layers[2],
    ];
    expect(allocateBits(swapped, { budgetBytes: 2000 }).layers.map((layer) => layer.bits)).toEqual([4, 8, 2]);
  });

  it('keeps the budget when sizes are rounded to the solver resolution', () => {
    const plan = allocateBits(layers, { budgetBytes: 2999, resolution: 7 });
    expect(plan.totalBytes).toBeLessThanOrEqual(2999);
  });

  it('throws when even the lowest bits do not fit', () => {
    expect(() => allocateBits(layers, { budgetBytes: 999 })).toThrow(/budget is below/);
    expect(() => allocateBits([{ ...layers[0], perturbation: { 2: 1 } }], { budgetBytes: 2000 })).toThrow(/No perturbation/);
  });
});
