import { ConfigError, ShapeError, createRandom, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { globalMagnitudeMasks } from './global-magnitude-masks';
import { magnitudeMask } from './magnitude-mask';

function randomWeight(rows: number, columns: number, seed: number): tf.Tensor2D {
  const random = createRandom(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * columns }, () => random.normal()), [rows, columns]);
}

function zeros(mask: Float32Array | Uint8Array | Int32Array | number[]): number {
  let count = 0;
  for (const v of mask) if (v === 0) count++;
  return count;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('magnitudeMask, unstructured', () => {
  it('prunes exactly floor(s·count) elements, the smallest by magnitude', () => {
    const weight = randomWeight(48, 40, 1);
    const values = weight.dataSync();
    for (const sparsity of [0, 0.5, 0.85, 0.9, 0.95, 0.999]) {
      const mask = magnitudeMask(weight, { sparsity }).dataSync();
      expect(zeros(mask)).toBe(Math.floor(sparsity * values.length));
      let smallestKept = Infinity;
      let largestPruned = 0;
      mask.forEach((m, i) => {
        if (m === 1) smallestKept = Math.min(smallestKept, Math.abs(values[i]));
        else largestPruned = Math.max(largestPruned, Math.abs(values[i]));
      });
      expect(smallestKept).toBeGreaterThanOrEqual(largestPruned);
    }
  });

  it('breaks ties by position, so equal magnitudes prune the earlier entries', () => {
    const mask = magnitudeMask(tf.tensor1d([1, -1, 1, 2, -1, 3]), { sparsity: 0.5 }).dataSync();
    expect(Array.from(mask)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('matches a worked example', () => {
    const mask = magnitudeMask(tf.tensor2d([[0.1, -2], [3, -0.05]]), { sparsity: 0.5 });
    expect(mask.arraySync()).toEqual([[0, 1], [1, 0]]);
  });
});

describe('magnitudeMask, blocks and N:M', () => {
  it('prunes whole 4x1 blocks (4 consecutive output rows, one input column) by L2 norm', () => {
    const weight = randomWeight(16, 12, 2);
    const values = weight.dataSync();
    const mask = magnitudeMask(weight, { sparsity: 0.75, pattern: '4x1' }).dataSync();
    const blocks = 4 * 12;
    expect(zeros(mask)).toBe(Math.floor(0.75 * blocks) * 4);
    const norms: Array<{ norm: number; kept: boolean }> = [];
    for (let blockRow = 0; blockRow < 4; blockRow++) {
      for (let column = 0; column < 12; column++) {
        const cells = [0, 1, 2, 3].map((k) => (blockRow * 4 + k) * 12 + column);
        const kept = cells.map((i) => mask[i]);
        expect(new Set(kept).size).toBe(1); // the block is all kept or all pruned
        norms.push({ norm: Math.hypot(...cells.map((i) => values[i])), kept: kept[0] === 1 });
      }
    }
    const smallestKept = Math.min(...norms.filter((b) => b.kept).map((b) => b.norm));
    const largestPruned = Math.max(...norms.filter((b) => !b.kept).map((b) => b.norm));
    expect(smallestKept).toBeGreaterThanOrEqual(largestPruned);
  });

  it('prunes whole 1x4 blocks along the input dimension', () => {
    const mask = magnitudeMask(randomWeight(6, 8, 3), { sparsity: 0.5, pattern: { block: [1, 4] } }).arraySync() as number[][];
    for (const row of mask) for (let c = 0; c < 8; c += 4) expect(new Set(row.slice(c, c + 4)).size).toBe(1);
    expect(zeros(mask.flat())).toBe(6 * 4);
  });

  it('keeps exactly the N largest of every M consecutive inputs for 2:4', () => {
    const weight = randomWeight(5, 16, 4);
    const values = weight.arraySync() as number[][];
    const mask = magnitudeMask(weight, { sparsity: 0, pattern: '2:4' }).arraySync() as number[][];
    mask.forEach((row, r) => {
      for (let c = 0; c < 16; c += 4) {
        const group = row.slice(c, c + 4);
        expect(group.reduce((a, b) => a + b, 0)).toBe(2);
        const magnitudes = values[r].slice(c, c + 4).map(Math.abs);
        const keptMin = Math.min(...magnitudes.filter((_, k) => group[k] === 1));
        const prunedMax = Math.max(...magnitudes.filter((_, k) => group[k] === 0));
        expect(keptMin).toBeGreaterThanOrEqual(prunedMax);
      }
    });
  });

  it('rejects bad sparsities, blocks that do not tile and N ≥ M, naming them', () => {
    const weight = randomWeight(6, 8, 5);
    expect(() => magnitudeMask(weight, { sparsity: 1 })).toThrow(ConfigError);
    expect(() => magnitudeMask(weight, { sparsity: -0.1 })).toThrow(/\[0, 1\)/);
    expect(() => magnitudeMask(weight, { sparsity: 0.5, pattern: '4x1' })).toThrow(ShapeError);
    expect(() => magnitudeMask(weight, { sparsity: 0.5, pattern: '4x1' })).toThrow(/Block 4x1 does not tile/);
    expect(() => magnitudeMask(weight, { sparsity: 0.5, pattern: '4:4' })).toThrow(/N must be smaller than M/);
    expect(() => magnitudeMask(weight, { sparsity: 0.5, pattern: '2:3' })).toThrow(/groups of 3/);
    expect(() => magnitudeMask(weight, { sparsity: 0.5, pattern: 'diagonal' })).toThrow(/Unknown sparsity pattern/);
  });
});

describe('globalMagnitudeMasks', () => {
  it('uses one threshold over all tensors and prunes exactly floor(s·total)', () => {
    const small = tf.mul(randomWeight(8, 8, 6), 0.01); // |w| < 0.05: pruned first
    const large = tf.add(tf.abs(randomWeight(8, 8, 7)), 1); // |w| ≥ 1
    const masks = globalMagnitudeMasks({ small, large }, { sparsity: 0.5 });
    expect(zeros(masks.small.dataSync())).toBe(64);
    expect(zeros(masks.large.dataSync())).toBe(0);
    const masks75 = globalMagnitudeMasks({ small, large }, { sparsity: 0.75 });
    expect(zeros(masks75.small.dataSync()) + zeros(masks75.large.dataSync())).toBe(96);
    expect(() => globalMagnitudeMasks({ small }, { sparsity: 0.5, pattern: '2:4' })).toThrow(/no global form/);
  });
});
