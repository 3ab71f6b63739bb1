/** One engine `pofa bench` times: a label and one forward pass of the batch (synchronous or not). */
export interface TimedEngine {
  label: string;
  run(): unknown;
}

/** Options of {@link measureInterleaved}. */
export interface InterleavedOptions {
  /** Timed rounds. */
  rounds: number;
  /** Untimed rounds first (default 3). */
  warmup?: number;
  /** Milliseconds from any origin (default `performance.now`); tests pass a fake one. */
  clock?: () => number;
  /** Called before each run with the engine's label and the round (warm-up rounds are negative). */
  onRun?: (label: string, round: number) => void;
  /**
   * Awaited before each run, untimed (`pofa bench`: until every engine's threads have gone idle,
   * see `waitForIdleThreads`); what it returns, a number of milliseconds, is recorded per run.
   */
  settle?: () => Promise<number> | number;
  /**
   * Runs each engine once more, untimed, right before each of its runs (after `settle`), so every
   * timed run finds its engine's threads awake and its weights in cache, as under a steady load.
   * On a VM whose idle cores sleep, a run that follows an idle wait is otherwise often slower by
   * a part that does not depend on the engine (a BERT-Base 4x1 int8 pass: 8 or 14 ms by the round).
   */
  hotRuns?: boolean;
}

/** What {@link measureInterleaved} measured, per engine in the order given. */
export interface InterleavedTimes {
  /** Milliseconds of each timed round (round `i` of one engine ran right beside round `i` of the others). */
  times: number[][];
  /** What `settle` returned before each timed round (empty without `settle`). */
  settled: number[][];
}

/**
 * Times engines taking turns: each round runs every engine once, in the order given, so a change
 * of the machine's load or clock during the measurement falls on all of them alike; `settle`, if
 * given, runs before each run, outside the timing, and with `hotRuns` an untimed run of the same
 * engine comes between the two. Returns, per engine, the milliseconds of each
 * timed round and what `settle` returned before it.
 *
 * @example
 * ```ts
 * const { times: [pofa, onnx] } = await measureInterleaved([{ label: 'pofa', run: () => runtime.run(inputs) }, { label: 'ort', run: () => session.run(feeds) }], { rounds: 20 });
 * ```
 */
export async function measureInterleaved(engines: readonly TimedEngine[], options: InterleavedOptions): Promise<InterleavedTimes> {
  const { rounds, warmup = 3, clock = () => performance.now(), onRun, settle } = options;
  const times: number[][] = engines.map(() => []);
  const settled: number[][] = engines.map(() => []);
  for (let round = -warmup; round < rounds; round++) {
    for (const [index, engine] of engines.entries()) {
      const settledFor = settle === undefined ? undefined : await settle();
      if (settledFor !== undefined && round >= 0) settled[index].push(settledFor);
      onRun?.(engine.label, round);
      if (options.hotRuns === true) {
        const warm = engine.run();
        if (warm instanceof Promise) await warm;
      }
      const started = clock();
      const result = engine.run();
      if (result instanceof Promise) await result;
      const elapsed = clock() - started;
      if (round >= 0) times[index].push(elapsed);
    }
  }
  return { times, settled };
}

/**
 * The median of numbers (the mean of the middle two for an even count); NaN for none.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * median([4, 1, 2, 3]); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The median over rounds of `baseline[i] / times[i]`: how many times faster an engine was than a
 * baseline that ran in the same rounds. Per-round ratios cancel a slow drift of the machine that
 * a ratio of two medians would keep.
 *
 * @example
 * ```ts
 * speedupOver([10, 20, 12], [5, 10, 4]); // median of 2, 2, 3 = 2
 * ```
 */
export function speedupOver(baseline: readonly number[], times: readonly number[]): number {
  return median(times.map((time, round) => baseline[round] / time));
}
