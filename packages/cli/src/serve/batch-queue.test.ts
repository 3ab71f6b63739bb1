import { describe, expect, it } from 'vitest';
import { createBatchQueue } from './batch-queue';

describe('createBatchQueue', () => {
  it('gathers concurrent requests into batches of at most maxBatch, in arrival order', async () => {
    const batches: number[][] = [];
    const queue = createBatchQueue<number, number>({ maxBatch: 4, maxWaitMs: 20, run: async (items) => (batches.push(items), items.map((item) => item * 10)) });
    const results = await Promise.all([queue.submit([1]), queue.submit([2, 3]), queue.submit([4, 5, 6]), queue.submit([7])]);
    expect(results).toEqual([[10], [20, 30], [40, 50, 60], [70]]);
    expect(batches).toEqual([[1, 2, 3, 4], [5, 6, 7]]);
    expect(queue.length).toBe(0);
  });

  it('waits maxWaitMs for a lone request, and fails only the requests of a failed batch', async () => {
    const started = performance.now();
    let calls = 0;
    const queue = createBatchQueue<string, string>({
      maxBatch: 2,
      maxWaitMs: 40,
      run: async (items) => {
        calls += 1;
        if (items.includes('bad')) throw new Error('batch failed');
        return items.map((item) => item.toUpperCase());
      },
    });
    expect(await queue.submit(['a'])).toEqual(['A']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    const [failed, fine] = await Promise.allSettled([queue.submit(['bad', 'b']), queue.submit(['c'])]);
    expect(failed).toMatchObject({ status: 'rejected', reason: new Error('batch failed') });
    expect(fine).toEqual({ status: 'fulfilled', value: ['C'] });
    expect(calls).toBe(3);
    await queue.drain();
  });

  it('drains: resolves once queued and running batches are done', async () => {
    let finished = 0;
    const queue = createBatchQueue<number, number>({ maxBatch: 1, maxWaitMs: 5, run: async (items) => new Promise((resolve) => setTimeout(() => (finished += 1, resolve(items)), 10)) });
    const pending = queue.submit([1, 2, 3]);
    await queue.drain();
    expect(finished).toBe(3);
    expect(await pending).toEqual([1, 2, 3]);
  });
});
