import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from './summary.mjs';
import { SEQ, encoderLinearWeights, readBatches, stepFlops, syntheticBatches, writeBatches } from './workload.mjs';

const dirs = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('the transfer workload', () => {
  it('writes batches that read back the same (the layout torch_transfer.py reads)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-transfer-'));
    dirs.push(dir);
    const batches = syntheticBatches(3, 4, 7);
    await writeBatches(join(dir, 'b.bin'), batches);
    const read = await readBatches(join(dir, 'b.bin'), 4);
    expect(read).toHaveLength(3);
    for (const [index, batch] of read.entries()) {
      expect([...batch.ids]).toEqual([...batches[index].ids]);
      expect([...batch.mask]).toEqual([...batches[index].mask]);
      expect([...batch.labels]).toEqual([...batches[index].labels]);
    }
  });

  it('pads SST-2-like sentences to 128, or fills every position', () => {
    const [padded] = syntheticBatches(1, 8, 1);
    const [full] = syntheticBatches(1, 8, 1, { padded: false });
    const lengths = Array.from({ length: 8 }, (_, row) => padded.mask.subarray(row * SEQ, (row + 1) * SEQ).reduce((sum, value) => sum + value, 0));
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(66);
    expect(full.mask.every((value) => value === 1)).toBe(true);
    expect(full.ids.every((value) => value > 0)).toBe(true);
  });

  it('counts a BERT-Base step as 6 × encoder weights × tokens plus attention', () => {
    expect(encoderLinearWeights()).toBe(84_934_656);
    const attention = 12 * 4 * 128 * 128 * 768;
    expect(stepFlops({ sequences: 1 })).toBe(3 * (2 * 84_934_656 * 128 + attention));
    expect(stepFlops({ sequences: 1, teacher: true })).toBe(3 * (2 * 84_934_656 * 128 + attention) + 2 * 84_934_656 * 128 + attention);
  });

  it('summarizes rounds as medians and ratios', () => {
    const row = (engine, round, seconds) => ({ workload: 'full', engine, round, config: 'lock', batch: 8, steps: 3, stepSeconds: [9, seconds, seconds], loadBefore: 1, threads: 2 });
    const result = summarize({
      started: new Date(), warmup: 1, curves: [], command: 'x', machine: { cores: 2 },
      shape: { layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocab: 30522 },
      timing: [row('pofa-native', 0, 2), row('pytorch', 0, 4), row('pytorch', 1, 4), row('pofa-native', 1, 1)],
    });
    expect(result.table).toHaveLength(1);
    expect(result.table[0].pofaSequencesPerSecond).toBe(6);
    expect(result.table[0].ratiosPerRound).toEqual([2, 4]);
    expect(result.table[0].medianRatio).toBe(3);
  });
});
