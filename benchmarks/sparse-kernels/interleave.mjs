// Round-robin timing: every engine runs once per round, in turn, so that drift of the machine
// (load, clock, temperature) during a cell falls on all of them; speedups are medians of the
// per-round ratios.

/** The median (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs `engines` round by round on `inputs` (`warmup` untimed rounds, then `rounds` timed ones)
 * and returns each engine's milliseconds per timed round, in the engines' order. `settle`, when
 * given, is awaited before every run, untimed: run.mjs waits there for the process's threads to go
 * idle (`waitForIdleThreads`), since onnxruntime's intra-op workers spin on after a run and would
 * slow whichever engine comes next.
 * @param {Array<{ run(inputs: unknown): unknown }>} engines
 * @param {{ rounds: number, warmup: number, clock?: () => number, settle?: () => unknown }} options
 */
export async function timeRoundRobin(engines, inputs, { rounds, warmup, clock = () => performance.now(), settle }) {
  const times = engines.map(() => []);
  for (let round = -warmup; round < rounds; round++) {
    for (const [index, engine] of engines.entries()) {
      if (settle !== undefined) await settle();
      const start = clock();
      await engine.run(inputs);
      if (round >= 0) times[index].push(clock() - start);
    }
  }
  return times;
}

/** The median over rounds of `baseline[i] / times[i]`; null without a baseline. */
export function medianRatio(baseline, times) {
  return baseline === undefined ? null : median(times.map((time, round) => baseline[round] / time));
}
