import { describe, expect, it } from 'vitest';
import { microBatchSize } from './task-training';

describe('microBatchSize', () => {
  it('is the largest divisor of the batch whose passes fit the token budget', () => {
    expect(microBatchSize(12, 384, 2048)).toBe(4); // 5 would fit (1920 tokens) but does not divide 12
    expect(microBatchSize(32, 128, 2048)).toBe(16);
    expect(microBatchSize(32, 64, 2048)).toBe(32);
    expect(microBatchSize(7, 512, 2048)).toBe(1); // 7 is prime: one example per pass
    expect(microBatchSize(8, 4096, 2048)).toBe(1); // one sequence is over the budget: still one per pass
    // The attention budget counts examples × sequence² (query-key pairs per head).
    expect(microBatchSize(12, 384, 2048, 2 * 384 * 384)).toBe(2); // 4 fit the tokens, not the pairs
    expect(microBatchSize(32, 128, 2048, 2 * 384 * 384)).toBe(16); // 18 pairs-wise; the tokens decide
    expect(microBatchSize(16, 256, 2048, 2 * 384 * 384)).toBe(4); // 4.5 pairs-wise, 8 token-wise
    expect(microBatchSize(4, 1024, 4096, 2 * 384 * 384)).toBe(1); // one sequence over it: still one per pass
  });
});
