import { describe, expect, it } from 'vitest';
import { measureInterleaved, median, speedupOver } from './bench-timing';

describe('measureInterleaved', () => {
  it('runs every engine once per round, in the order given, and times each run on the clock', async () => {
    const log: string[] = [];
    let now = 0;
    // Each engine advances the fake clock by its own cost, which grows with the round (drift).
    const engine = (label: string, cost: number) => ({
      label,
      run: () => {
        log.push(label);
        now += cost * (1 + log.length / 100);
      },
    });
    const asyncEngine = { label: 'async', run: async () => void log.push('async') };
    const { times, settled } = await measureInterleaved([engine('a', 10), engine('b', 40), asyncEngine], { rounds: 3, warmup: 2, clock: () => now });
    expect(log).toEqual(Array.from({ length: 5 }, () => ['a', 'b', 'async']).flat());
    // Runs 7, 8, 9 (round 0) .. 13, 14, 15 (round 2) of the log are timed: cost × (1 + position / 100).
    expect(times[0].map((time) => time.toFixed(6))).toEqual([7, 10, 13].map((position) => (10 * (1 + position / 100)).toFixed(6)));
    expect(times[1].map((time) => time.toFixed(6))).toEqual([8, 11, 14].map((position) => (40 * (1 + position / 100)).toFixed(6)));
    expect(times[2]).toEqual([0, 0, 0]);
    expect(settled).toEqual([[], [], []]);
  });

  it('awaits settle before each run, outside the timing, and records what it returned for the timed rounds', async () => {
    const log: string[] = [];
    let now = 0;
    let settles = 0;
    const engine = (label: string) => ({ label, run: () => void (log.push(label), (now += 10)) });
    const settle = async () => {
      log.push('settle');
      now += 1000; // waiting costs time, which must not land on the next run
      return ++settles;
    };
    const { times, settled } = await measureInterleaved([engine('a'), engine('b')], { rounds: 2, warmup: 1, clock: () => now, settle });
    expect(log).toEqual(Array.from({ length: 3 }, () => ['settle', 'a', 'settle', 'b']).flat());
    expect(times).toEqual([[10, 10], [10, 10]]);
    // Settles 1 and 2 came before the warm-up round's runs.
    expect(settled).toEqual([[3, 5], [4, 6]]);
  });

  it('with hotRuns, runs each engine once untimed right before its timed run, after settle', async () => {
    const log: string[] = [];
    let now = 0;
    let runs = 0;
    // Each engine's first run of a pair costs 100 (a cold start), the second its own cost.
    const engine = (label: string, cost: number) => ({ label, run: () => void (log.push(label), (now += ++runs % 2 === 1 ? 100 : cost)) });
    const settle = (): number => {
      log.push('settle');
      return 0;
    };
    const { times } = await measureInterleaved([engine('a', 10), engine('b', 40)], { rounds: 2, warmup: 1, clock: () => now, settle, hotRuns: true });
    expect(log).toEqual(Array.from({ length: 3 }, () => ['settle', 'a', 'a', 'settle', 'b', 'b']).flat());
    expect(times).toEqual([[10, 10], [40, 40]]);
  });

  it('reports each run to onRun with its round, warm-up rounds negative', async () => {
    const seen: Array<[string, number]> = [];
    await measureInterleaved([{ label: 'x', run: () => undefined }, { label: 'y', run: () => undefined }], { rounds: 2, warmup: 1, onRun: (label, round) => seen.push([label, round]) });
    expect(seen).toEqual([['x', -1], ['y', -1], ['x', 0], ['y', 0], ['x', 1], ['y', 1]]);
  });
});

describe('median and speedupOver', () => {
  it('take the middle value, and the median of per-round ratios', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    // Ratios 2, 4, 3: the median is 3; the ratio of the medians (20 / 6) would not be.
    expect(speedupOver([10, 40, 30], [5, 10, 10])).toBe(3);
  });
});
