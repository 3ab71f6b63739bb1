import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { checkPruningMethod, pruningMethodChecks } from './check-pruning-method';
import { block4x1, broken, magnitude, twoOfFour } from './__fixtures__/toy-pruning-methods';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const failedChecks = (failures: Array<{ check: string }>): string[] => [...new Set(failures.map((failure) => failure.check))].sort();

const SHAPE = "returns a float32 mask of the weight's shape holding only 0 and 1";
const COUNT = 'prunes exactly floor(sparsity * units)';
const DETERMINISTIC = 'is deterministic for the same input';
const LEAKS = 'leaves the weight untouched and leaks no tensors';
const RANGE = 'its options schema rejects an out-of-range sparsity';
const MAGNITUDE = 'keeps the larger-magnitude weights';
const SPEC = 'is a valid v1 pruning-method spec';

describe('checkPruningMethod', () => {
  it('passes correct element, block and 2:4 magnitude methods, leaking nothing itself', () => {
    const before = tf.memory().numTensors;
    expect(checkPruningMethod(magnitude, { options: { sparsity: 0.9 }, magnitude: true })).toEqual([]);
    expect(checkPruningMethod(block4x1, { options: { sparsity: 0.5 }, magnitude: true, shapes: [[8, 12], [16, 4]] })).toEqual([]);
    expect(checkPruningMethod(twoOfFour, { options: {}, magnitude: true, shapes: [[6, 8], [2, 3, 4]] })).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs the range and magnitude checks only when they apply', () => {
    const names = (settings: Parameters<typeof pruningMethodChecks>[1]) => pruningMethodChecks(magnitude, settings).map((check) => check.name);
    expect(names({ options: { sparsity: 0.5 } })).toContain(RANGE);
    expect(names({ options: { sparsity: 0.5 } })).not.toContain(MAGNITUDE);
    expect(names({ options: {}, magnitude: true })).toEqual(expect.arrayContaining([MAGNITUDE]));
    expect(names({ options: {} })).not.toContain(RANGE);
  });

  it.each([
    ['flatMask', [SHAPE]],
    ['softMask', [COUNT, SHAPE]],
    ['integerMask', [SHAPE]],
    ['roundsUp', [COUNT]],
    ['keepsSmallest', [MAGNITUDE]],
    ['random', [DETERMINISTIC, MAGNITUDE]],
    ['leaky', [LEAKS]],
    ['permissiveSchema', [RANGE]],
    ['partialBlocks', [COUNT]],
    ['wrongVersion', [SPEC]],
  ] as const)('detects the broken method %s', (name, expected) => {
    expect(failedChecks(checkPruningMethod(broken[name], { options: { sparsity: 0.9 }, magnitude: true }))).toEqual([...expected].sort());
  });

  it('detects a method that disposes the weight', () => {
    const failures = checkPruningMethod(broken.disposesWeight, { options: { sparsity: 0.5 } });
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((failure) => failure.message === 'computeMask disposed the weight')).toBe(true);
  });

  it('says so when a shape does not fit the granularity', () => {
    const failures = checkPruningMethod(block4x1, { options: { sparsity: 0.5 }, shapes: [[6, 4]] });
    expect(failures.map((failure) => failure.message)).toContain("[6, 4] does not tile into 4x1 blocks: pass shapes that fit the method's granularity");
  });

  it('counts pruned units exactly, at the requested and the extra sparsities', () => {
    // 0.9 * 512 = 460.8 -> 460 weights; rounding up gives 461 at 0.9 and 154 instead of 153 at 0.3
    const messages = checkPruningMethod(broken.roundsUp, { options: { sparsity: 0.9 }, shapes: [[16, 32]] }).map((failure) => failure.message);
    expect(messages).toEqual([
      '461 of 512 weights pruned at sparsity 0.9 for shape [16, 32], expected floor(0.9 * 512) = 460',
      '154 of 512 weights pruned at sparsity 0.3 for shape [16, 32], expected floor(0.3 * 512) = 153',
    ]);
  });
});
