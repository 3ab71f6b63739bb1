import { hostname } from 'node:os';
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { InterruptedError } from '../errors/interrupted-error';
import type { Say } from '../run-folder';
import { CELL_QUEUE, QUEUE_PREFIX, STAGE_QUEUE, type CellJobData, type StageJobData } from './grid-flows';
import { checkRedis, isConnectionError, redisOptions } from './redis-connection';
import type { RedisLocation } from './queue-url';

/**
 * Runs one stage job: `say` goes to the job's log (what `pofa reproduce` prints when the stage
 * fails), `signal` aborts when the worker stops or loses the job. Returns what the job completes
 * with (small JSON: `{ reused, seconds }`).
 */
export type StageRunner = (data: StageJobData, tools: { say: Say; signal: AbortSignal }) => Promise<{ reused?: boolean; seconds?: number } & Record<string, unknown>>;

/** What {@link runStageWorker} takes. */
export interface StageWorkerOptions {
  location: RedisLocation;
  runStage: StageRunner;
  /** Stages run at once by this process. */
  concurrency: number;
  /**
   * Seconds without a sign of life after which a worker's job counts as stalled and goes back on
   * the queue for another worker (BullMQ's lock duration and stalled-check interval).
   */
  stalledSeconds?: number;
  /** One line per job started, finished, failed or put back. */
  log: (line: string) => void;
  /** Aborted (SIGTERM, Ctrl-C): take no more jobs, stop the running stages at their next step and put them back on the queue. */
  signal?: AbortSignal;
  /** How long a stage whose inputs are not finished yet waits before it is looked at again. */
  waitMs?: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Whether the stages a job reads have finished: true when they all have; false after putting the
 * job back for `waitMs` when one is still to come; an `UnrecoverableError` (no retry) when one
 * failed or is not on the queue, which fails the cells waiting for this job.
 */
async function inputsFinished(job: Job, token: string | undefined, needs: ReadonlyArray<{ id: string; name: string }>, stages: Queue, waitMs: number): Promise<boolean> {
  const states = await Promise.all(needs.map((need) => stages.getJobState(need.id)));
  const failed = needs.findIndex((_, index) => states[index] === 'failed' || states[index] === 'unknown');
  if (failed !== -1) throw new UnrecoverableError(`its input stage ${needs[failed].name} ${states[failed] === 'failed' ? 'failed' : 'is not on the queue'}`);
  if (states.every((state) => state === 'completed')) return true;
  await job.moveToDelayed(Date.now() + waitMs, token);
  return false;
}

/**
 * `pofa worker`: takes stage jobs from the queue at `location` and runs them with `runStage`, up
 * to `concurrency` at once, from any number of processes and machines. A stage whose inputs are
 * not finished waits on the queue (not in the worker); a stage that throws is tried again (three
 * tries in all); a worker killed mid-stage stops renewing its job's lock, and after
 * `stalledSeconds` another worker takes the job over and the stage resumes from its last
 * checkpoint. It also completes the cell jobs whose stage finished. While idle it waits on Redis
 * (no polling); when Redis restarts it reconnects. When `signal` aborts it takes no more jobs, the
 * running stages stop at their next step and go back on the queue, and it resolves.
 *
 * @example
 * ```ts
 * await runStageWorker({ location: parseQueueUrl('redis://127.0.0.1:6379'), runStage, concurrency: 1, log: console.log, signal });
 * ```
 */
export async function runStageWorker(options: StageWorkerOptions): Promise<void> {
  const { location, runStage, concurrency, log, signal, stalledSeconds = 30, waitMs = 1000 } = options;
  await checkRedis(location);
  const base = { connection: redisOptions(location), prefix: QUEUE_PREFIX };
  const stages = new Queue(STAGE_QUEUE, base);
  const stop = new AbortController();
  let closing = false;
  let lost = false;
  const processStage = async (job: Job<StageJobData>, token?: string, lockSignal?: AbortSignal): Promise<unknown> => {
    if (!(await inputsFinished(job, token, job.data.needs, stages, waitMs))) throw new DelayedError();
    const { name } = job.data;
    const started = performance.now();
    log(`start ${name} (try ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1})`);
    const say: Say = (line) => void job.log(line).catch(() => undefined);
    try {
      const result = await runStage(job.data, { say, signal: lockSignal === undefined ? stop.signal : AbortSignal.any([stop.signal, lockSignal]) });
      log(`done ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s${result.reused === true ? ' (reused)' : ''}`);
      return result;
    } catch (error) {
      if (closing && InterruptedError.isInstance(error)) {
        log(`stopped ${name}: back on the queue, to resume from its last checkpoint`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (lockSignal?.aborted === true) {
        log(`left ${name}: this worker lost its lock, another one has the stage`);
        throw error;
      }
      log(`failed ${name}: ${messageOf(error)}`);
      await job.log(`failed on ${hostname()}:${process.pid}: ${error instanceof Error && error.stack !== undefined ? error.stack : messageOf(error)}`).catch(() => undefined);
      throw error;
    }
  };
  const processCell = async (job: Job<CellJobData>, token?: string): Promise<unknown> => {
    if (!(await inputsFinished(job, token, [job.data.stage], stages, waitMs))) throw new DelayedError();
    return { cell: job.data.cell };
  };
  const workerOptions = {
    ...base,
    name: `${hostname()}:${process.pid}`,
    lockDuration: stalledSeconds * 1000,
    stalledInterval: stalledSeconds * 1000,
    maxStalledCount: 2,
  };
  const workers = [new Worker(STAGE_QUEUE, processStage, { ...workerOptions, concurrency }), new Worker(CELL_QUEUE, processCell, { ...workerOptions, concurrency: 4 })];
  const lose = (): void => {
    if (!lost && !closing) log(`lost Redis at ${location.display}: reconnecting`);
    lost = true;
  };
  for (const worker of workers) {
    worker.on('error', (error) => {
      // A lock this worker could not renew belongs to another worker now: stop that stage here.
      const lostJob = /could not renew lock for job (\S+)/.exec(error.message)?.[1];
      if (lostJob !== undefined) worker.cancelJob(lostJob, 'lost its lock');
      else if (isConnectionError(error)) lose();
      else if (!closing) log(`note: ${error.message}`);
    });
    void worker.client.then((client) => {
      client.on('close', lose);
      client.on('ready', () => {
        if (lost && !closing) log(`Redis at ${location.display} is back`);
        lost = false;
      });
    }, () => undefined);
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  log(`worker ${workerOptions.name} on ${location.display}: ${concurrency} stage${concurrency === 1 ? '' : 's'} at a time`);
  await new Promise<void>((resolve) => {
    if (signal?.aborted === true) resolve();
    else signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  closing = true;
  stop.abort();
  log('stopping: a running stage stops at its next step and goes back on the queue');
  await Promise.all(workers.map((worker) => worker.close()));
  await stages.close();
}
