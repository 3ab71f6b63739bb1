import { FlowProducer, Job, Queue, QueueEvents, type JobState } from 'bullmq';
import { InterruptedError } from '../errors/interrupted-error';
import type { Say } from '../run-folder';
import { CELL_QUEUE, QUEUE_PREFIX, STAGE_QUEUE, cellJobId, gridFlows, type GridStage } from './grid-flows';
import { checkRedis, isConnectionError, redisOptions } from './redis-connection';
import type { RedisLocation } from './queue-url';

/** A stage that failed on the queue (after its retries): its folder, its tries, the last error and its job log. */
export interface StageFailure {
  name: string;
  attempts: number;
  reason: string;
  /** The worker of its last try (`host:pid`). */
  worker?: string;
  logs: string[];
}

/** How a grid ended on the queue: the stage ids of its finished cells, its failed cells, and the stages that failed first. */
export interface GridOutcome {
  finished: Set<string>;
  failedCells: string[];
  failures: StageFailure[];
}

/** What {@link runGridOnQueue} takes. */
export interface GridRunOptions {
  location: RedisLocation;
  stages: readonly GridStage[];
  /** The settings every stage job carries (what a worker rebuilds the run from). */
  grid: unknown;
  say: Say;
  /** Aborted: stop waiting (the jobs stay queued; the workers go on). */
  signal?: AbortSignal;
  /** How often the cells' states are read besides the queue events. */
  pollMs?: number;
}

const FINAL: ReadonlyArray<JobState | 'unknown'> = ['completed', 'failed', 'unknown'];
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Puts a grid on the queue: the finished jobs an earlier run of the same grid left are removed
 * (the work folder keeps their results, and a failed one is tried again), then one flow per cell
 * is added ({@link gridFlows}). When jobs of the grid are still pending (an earlier `pofa
 * reproduce` stopped waiting, or another one runs it), nothing is added and the grid is waited
 * for as it is.
 */
async function enqueue(options: GridRunOptions, queues: { stages: Queue; cells: Queue }, producer: FlowProducer): Promise<void> {
  const { stages, say, location } = options;
  const jobs: Array<[Queue, string]> = [
    ...stages.filter((stage) => stage.cell !== undefined).map((stage): [Queue, string] => [queues.cells, cellJobId(stage.id)]),
    ...stages.map((stage): [Queue, string] => [queues.stages, stage.id]),
  ];
  const states = await Promise.all(jobs.map(([queue, id]) => queue.getJobState(id)));
  const pending = states.filter((state) => !FINAL.includes(state)).length;
  if (pending > 0) {
    say(`${pending} jobs of this grid are already on the queue at ${location.display} (an earlier pofa reproduce, or one running now): waiting for them`);
    return;
  }
  for (const [index, [queue, id]] of jobs.entries()) if (states[index] !== 'unknown') await queue.remove(id, { removeChildren: false });
  await producer.addBulk(gridFlows(stages, options.grid));
  const cells = stages.filter((stage) => stage.cell !== undefined).length;
  say(`queued ${cells} cells (${stages.length} stages) on ${location.display}; workers: pofa worker --queue ${location.display}`);
}

/** The stages that failed first among those `cells` need: failed, with every stage they read finished. */
async function firstFailures(stages: readonly GridStage[], cells: readonly GridStage[], queue: Queue): Promise<StageFailure[]> {
  const byId = new Map(stages.map((stage) => [stage.id, stage]));
  const reached = new Set<string>();
  const visit = (id: string): void => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const need of byId.get(id)?.needs ?? []) visit(need);
  };
  for (const cell of cells) visit(cell.id);
  const ids = stages.map((stage) => stage.id).filter((id) => reached.has(id));
  const states = new Map(await Promise.all(ids.map(async (id) => [id, await queue.getJobState(id)] as const)));
  const failures: StageFailure[] = [];
  for (const id of ids) {
    const stage = byId.get(id) as GridStage;
    if (states.get(id) !== 'failed' || !stage.needs.every((need) => states.get(need) === 'completed')) continue;
    const job = await Job.fromId(queue, id);
    const { logs } = await queue.getJobLogs(id, -40, -1);
    failures.push({ name: stage.name, attempts: job?.attemptsMade ?? 0, reason: job?.failedReason ?? 'unknown', ...(job?.processedBy === undefined ? {} : { worker: job.processedBy }), logs });
  }
  return failures;
}

/**
 * Runs a grid of stages through BullMQ: checks that Redis answers, enqueues the grid (or finds it
 * already queued), then waits until every cell has finished or failed, saying each cell that
 * ends, each stage that finishes or whose worker stopped answering, and when Redis cannot be
 * reached (it keeps waiting until Redis is back). The stages run on `pofa worker`s; a stage
 * that fails is tried {@link STAGE_ATTEMPTS} times, then its cells fail and the others go on.
 * Returns the finished cells and the stages that failed first, with their logs.
 *
 * @example
 * ```ts
 * const outcome = await runGridOnQueue({ location: parseQueueUrl('redis://127.0.0.1:6379'), stages, grid, say: console.error });
 * ```
 */
export async function runGridOnQueue(options: GridRunOptions): Promise<GridOutcome> {
  const { location, stages, say, signal, pollMs = 1000 } = options;
  await checkRedis(location);
  const base = { connection: redisOptions(location), prefix: QUEUE_PREFIX };
  const queues = { stages: new Queue(STAGE_QUEUE, base), cells: new Queue(CELL_QUEUE, base) };
  const producer = new FlowProducer(base);
  const events = { stages: new QueueEvents(STAGE_QUEUE, base), cells: new QueueEvents(CELL_QUEUE, base) };
  let lost = false;
  let closing = false;
  const lose = (why?: string): void => {
    if (!lost && !closing) say(`lost Redis at ${location.display}${why === undefined ? '' : ` (${why})`}: waiting for it`);
    lost = true;
  };
  const onError = (error: unknown): void => {
    if (isConnectionError(error)) lose(messageOf(error));
    else if (!closing) say(`note: ${messageOf(error)}`);
  };
  void queues.cells.client.then((client) => client.on('close', () => lose()), () => undefined);
  queues.stages.on('error', onError);
  queues.cells.on('error', onError);
  producer.on('error', onError);
  events.stages.on('error', onError);
  events.cells.on('error', onError);
  const byId = new Map(stages.map((stage) => [stage.id, stage]));
  let wake: (() => void) | undefined;
  const poke = (): void => wake?.();
  events.cells.on('completed', poke);
  events.cells.on('failed', poke);
  events.stages.on('completed', ({ jobId, returnvalue }) => {
    const stage = byId.get(jobId);
    const reused = typeof returnvalue === 'object' && returnvalue !== null && (returnvalue as { reused?: unknown }).reused === true;
    if (stage !== undefined) say(`${stage.name}: finished${reused ? ' (reused)' : ''}`);
  });
  events.stages.on('stalled', ({ jobId }) => {
    const stage = byId.get(jobId);
    if (stage !== undefined) say(`${stage.name}: its worker stopped answering; the stage goes back on the queue and resumes from its last checkpoint`);
  });
  try {
    await Promise.all([events.stages.waitUntilReady(), events.cells.waitUntilReady()]);
    await enqueue(options, queues, producer);
    const cells = stages.filter((stage) => stage.cell !== undefined);
    const pending = new Map(cells.map((stage) => [cellJobId(stage.id), stage]));
    const finished = new Set<string>();
    const failedCells: GridStage[] = [];
    while (pending.size > 0) {
      if (signal?.aborted === true) {
        throw new InterruptedError(`Stopped waiting for the grid on ${location.display} (${finished.size} of ${cells.length} cells done)`, {
          hint: 'Its stages stay on the queue and the workers go on; run the same command to wait for them again and write the table',
        });
      }
      try {
        const ids = [...pending.keys()];
        const states = await Promise.all(ids.map((id) => queues.cells.getJobState(id)));
        if (lost) say(`Redis at ${location.display} is back`);
        lost = false;
        for (const [index, id] of ids.entries()) {
          const cell = pending.get(id) as GridStage;
          if (!FINAL.includes(states[index])) continue;
          pending.delete(id);
          if (states[index] === 'completed') finished.add(cell.id);
          else failedCells.push(cell);
          say(`cell ${cell.cell}: ${states[index] === 'completed' ? 'done' : states[index] === 'failed' ? 'FAILED' : 'missing from the queue'} (${finished.size + failedCells.length}/${cells.length})`);
        }
      } catch (error) {
        if (isConnectionError(error)) lose(messageOf(error));
        else throw error;
      }
      if (pending.size === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        signal?.addEventListener('abort', wake, { once: true });
      });
      if (wake !== undefined) signal?.removeEventListener('abort', wake);
      wake = undefined;
    }
    const failures = failedCells.length === 0 ? [] : await firstFailures(stages, failedCells, queues.stages);
    return { finished, failedCells: failedCells.map((cell) => cell.cell as string), failures };
  } finally {
    closing = true;
    await Promise.allSettled([events.stages.close(), events.cells.close(), producer.close(), queues.stages.close(), queues.cells.close()]);
  }
}
