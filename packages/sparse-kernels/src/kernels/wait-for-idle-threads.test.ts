import { describe, expect, it } from 'vitest';
import { waitForIdleThreads } from './wait-for-idle-threads';

/**
 * A fake process: `busy[i]` is the fraction of a core its threads use during the i-th window of
 * `windowMs` (the last value repeats); sleeping advances the fake clock.
 */
function fakeProcess(busy: number[]) {
  let now = 0;
  let cpuMicroseconds = 0;
  let windows = 0;
  return {
    clock: () => now,
    cpuMicroseconds: () => cpuMicroseconds,
    sleep: async (ms: number) => {
      cpuMicroseconds += busy[Math.min(windows, busy.length - 1)] * ms * 1000;
      now += ms;
      windows++;
    },
    windows: () => windows,
  };
}

describe('waitForIdleThreads', () => {
  it('returns after the first window in which the process used under the busy fraction of a core', async () => {
    // Two spinning threads (2 cores' worth) for three windows, then asleep.
    const fake = fakeProcess([2, 2, 2, 0.01]);
    const wait = await waitForIdleThreads({ ...fake, windowMs: 5, busyFraction: 0.2 });
    expect(wait).toEqual({ waitedMs: 20, idle: true });
    expect(fake.windows()).toBe(4);
  });

  it('returns at once (one window) when nothing runs', async () => {
    const fake = fakeProcess([0]);
    expect(await waitForIdleThreads({ ...fake, windowMs: 2 })).toEqual({ waitedMs: 2, idle: true });
  });

  it('counts a window at exactly the busy fraction as busy', async () => {
    const fake = fakeProcess([0.2, 0.1]);
    expect(await waitForIdleThreads({ ...fake, windowMs: 5, busyFraction: 0.2 })).toEqual({ waitedMs: 10, idle: true });
  });

  it('gives up at the limit when the process never goes idle', async () => {
    const fake = fakeProcess([1]);
    expect(await waitForIdleThreads({ ...fake, windowMs: 5, limitMs: 30 })).toEqual({ waitedMs: 30, idle: false });
  });

  it('refuses a window, fraction or limit that is not a positive number', async () => {
    await expect(waitForIdleThreads({ windowMs: 0 })).rejects.toThrow(/windowMs must be a positive number/);
    await expect(waitForIdleThreads({ busyFraction: Number.NaN })).rejects.toThrow(/busyFraction/);
    await expect(waitForIdleThreads({ limitMs: -1 })).rejects.toThrow(/limitMs/);
  });

  it('waits on the real process clock by default', async () => {
    const wait = await waitForIdleThreads({ windowMs: 1, limitMs: 50 });
    expect(wait.waitedMs).toBeGreaterThan(0);
  });
});
