import type { ProgressStream } from '@pofa/core';

/** The time a stage took and whether it came from the cache or an earlier (resumed) run. */
export interface StageTiming {
  stage: string;
  seconds: number;
  reused: boolean;
}

/** What {@link createStageTimer} returns: a line printer, the stage runner, and the timings so far. */
export interface StageTimer {
  say(text: string): void;
  /** Runs one stage, printing `pofa: <stage> ...` then `done`/`reused in N s`, and records its time. */
  timed<T>(stage: string, work: () => Promise<T & { reused?: boolean }>): Promise<T & { reused?: boolean }>;
  timings: StageTiming[];
}

/**
 * Times the stages of a run and reports them on `progress` (stderr in the CLI; false for silence).
 *
 * @example
 * ```ts
 * const { timed, timings } = createStageTimer(process.stderr);
 * const task = await timed('loading the task', async () => ({ task: await loadRunTask('spam', undefined, options) }));
 * ```
 */
export function createStageTimer(progress: ProgressStream | false): StageTimer {
  const timings: StageTiming[] = [];
  const say = (text: string) => void (progress !== false && progress.write(`${text}\n`));
  const timed = async <T>(stage: string, work: () => Promise<T & { reused?: boolean }>): Promise<T & { reused?: boolean }> => {
    say(`pofa: ${stage} ...`);
    const started = performance.now();
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    timings.push({ stage, seconds, reused: value.reused === true });
    say(`pofa: ${stage} ${value.reused === true ? 'reused' : 'done'} in ${seconds.toFixed(1)} s`);
    return value;
  };
  return { say, timed, timings };
}
