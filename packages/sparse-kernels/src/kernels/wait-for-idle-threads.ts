import { ConfigError } from '@pofa/core';

/** Options of {@link waitForIdleThreads}. */
export interface IdleWaitOptions {
  /** Length of one observation window in ms (default 5). */
  windowMs?: number;
  /** The process counts as idle when its threads used less than this fraction of one core over a window (default 0.2). */
  busyFraction?: number;
  /** Give up after this many ms (default 250). */
  limitMs?: number;
  /** Microseconds of CPU time the process has used (default `process.cpuUsage`); tests pass a fake. */
  cpuMicroseconds?: () => number;
  /** Milliseconds from any origin (default `performance.now`). */
  clock?: () => number;
  /** Waits `ms` milliseconds without using the CPU (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
}

/** What {@link waitForIdleThreads} saw. */
export interface IdleWait {
  /** Milliseconds waited. */
  waitedMs: number;
  /** False when the limit ran out first. */
  idle: boolean;
}

const processCpu = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Waits until this process's threads have stopped running: window by window, sleeping meanwhile,
 * until one window in which the process used under `busyFraction` of a core. Inference engines
 * keep their worker threads spinning for a while after a run (onnxruntime's intra-op pool does by
 * default, for tens of milliseconds), and on a machine with few cores those threads take the cores
 * from whatever runs next in the process; benchmarks that let engines take turns call this before
 * each timed run, so that no engine is timed against another's leftover threads.
 *
 * @example
 * ```ts
 * await session.run(feeds);
 * const { waitedMs } = await waitForIdleThreads(); // onnxruntime's workers have gone to sleep
 * const start = performance.now();
 * runtime.run(inputs);
 * ```
 */
export async function waitForIdleThreads(options: IdleWaitOptions = {}): Promise<IdleWait> {
  const { windowMs = 5, busyFraction = 0.2, limitMs = 250 } = options;
  for (const [name, value] of Object.entries({ windowMs, busyFraction, limitMs })) {
    if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(`waitForIdleThreads: ${name} must be a positive number`, { expected: 'a finite number > 0', received: String(value) });
  }
  const cpu = options.cpuMicroseconds ?? processCpu;
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const start = clock();
  for (;;) {
    const cpuBefore = cpu();
    const windowStart = clock();
    await sleep(windowMs);
    const now = clock();
    const usedMs = (cpu() - cpuBefore) / 1000;
    if (usedMs < busyFraction * (now - windowStart)) return { waitedMs: now - start, idle: true };
    if (now - start >= limitMs) return { waitedMs: now - start, idle: false };
  }
}
