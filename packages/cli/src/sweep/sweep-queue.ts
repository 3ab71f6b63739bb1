import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, writeFileAtomic } from '@pofa/core';
import packageJson from '../../package.json';
import { runCompress } from '../pipeline/compress';
import type { CompressOptions } from '../pipeline/compress-options';
import { reportRowSchema, type ReportRow } from '../pipeline/report-table';
import { stageJobId, type GridStage, type StageJobData } from '../queue/grid-flows';
import { QueueError } from '../queue/queue-error';
import { parseQueueUrl } from '../queue/queue-url';
import { runGridOnQueue } from '../queue/run-grid';
import { identityHash, type Say } from '../run-folder';
import type { SweepRow } from './run-sweep';
import type { SweepCell } from './sweep-spec';

/** What every queued stage of a sweep carries: the pofa version that planned it. */
export interface SweepGrid {
  benchmark: 'compress-sweep';
  version: string;
}

/** A queued stage of a sweep: one `pofa compress` run, whole or up to `until`. */
interface SweepStageData {
  options: CompressOptions;
  /** The driver's working folder: relative paths of the options (a task file, a recipe) are read from it. */
  cwd: string;
}

/**
 * The queue stages of a sweep: per seed, a `teacher` stage (the first cell of that seed run up to
 * its transfer: the vocabulary, the teacher's pre-training and fine-tuning go to the shared cache),
 * then one stage per cell (its whole `pofa compress` run in `<out>/<cell>`) that waits for its
 * seed's teacher stage. The first cell of a seed resumes the run its teacher stage left.
 *
 * @example
 * ```ts
 * sweepStages({ scale: 'test', out: '/shared/sweep', cache: '/shared/sweep/cache' }, cells, '/shared').map((stage) => stage.name); // ['teacher (seed 0)', 'sparsity=0.8', 'sparsity=0.9']
 * ```
 */
export function sweepStages(base: CompressOptions, cells: readonly SweepCell[], cwd: string): GridStage[] {
  const out = base.out as string;
  const sweep = identityHash({ base, cells: cells.map((cell) => cell.name) });
  const teachers = new Map<number, GridStage>();
  const stages: GridStage[] = [];
  for (const cell of cells) {
    const options: CompressOptions = { ...base, ...cell.options, out: join(out, cell.name) };
    const seed = options.seed ?? 0;
    let teacher = teachers.get(seed);
    if (teacher === undefined) {
      const data: SweepStageData = { options: { ...options, until: 'finetune' }, cwd };
      teacher = { id: stageJobId({ sweep, teacher: seed }), name: `teacher (seed ${seed})`, needs: [], data };
      teachers.set(seed, teacher);
      stages.push(teacher);
    }
    const data: SweepStageData = { options, cwd };
    stages.push({ id: stageJobId({ sweep, cell: cell.name }), name: cell.name, needs: [teacher.id], cell: cell.name, data });
  }
  return stages;
}

/**
 * Runs a queued sweep stage on a worker: `pofa compress` with the stage's options, resuming the
 * run in its folder when there is one (a cell after its teacher stage, a stage tried again).
 *
 * @example
 * ```ts
 * await runQueuedSweepStage(job.data, { say, signal });
 * ```
 */
export async function runQueuedSweepStage(data: StageJobData, tools: { say: Say; signal: AbortSignal }): Promise<{ reused: boolean; seconds: number }> {
  const grid = data.grid as SweepGrid;
  if (grid.version !== packageJson.version) {
    throw new ConfigError(`Sweep stage ${data.name} was queued by pofa ${grid.version}, and this worker is pofa ${packageJson.version}`, { hint: 'Run the same pofa version on the driver and every worker' });
  }
  const { options, cwd } = data.stage as SweepStageData;
  const started = await readFile(join(options.out as string, 'run.json')).then(() => true, () => false);
  const result = await runCompress({ ...options, resume: started }, { progress: false, env: process.env, cwd, signal: tools.signal });
  for (const timing of result.timings) tools.say(`${timing.stage}: ${timing.seconds.toFixed(1)} s${timing.reused ? ' (reused)' : ''}`);
  const seconds = result.timings.reduce((sum, timing) => sum + timing.seconds, 0);
  return { reused: result.timings.every((timing) => timing.reused), seconds };
}

/**
 * Runs the cells of a sweep on `pofa worker`s through the queue at `queue` ({@link sweepStages},
 * `runGridOnQueue`): `base.out`, `base.cache` and the working folder `cwd` (relative paths are
 * read from it) must be folders every worker sees at the same path. Waits, then reads each finished cell's rows from its `report.json`; writes `sweep.json`.
 * When cells failed, their stages' logs are said and a `QueueError` names them.
 *
 * @example
 * ```ts
 * const rows = await runSweepOnQueue({ scale: 'test', out: '/shared/sweep', cache: '/shared/sweep/cache' }, cells, 'redis://queue:6379', { cwd: '/shared', say: console.error });
 * ```
 */
export async function runSweepOnQueue(base: CompressOptions, cells: readonly SweepCell[], queue: string, io: { cwd: string; say: Say; signal?: AbortSignal }): Promise<Array<{ cell: SweepCell; rows: ReportRow[] }>> {
  const { say, signal } = io;
  const out = resolve(io.cwd, base.out ?? 'pofa-out');
  await writeFileAtomic(join(out, 'sweep.json'), `${JSON.stringify({ cells: cells.map(({ name, values }) => ({ name, values })) }, null, 2)}\n`);
  const grid: SweepGrid = { benchmark: 'compress-sweep', version: packageJson.version };
  const stages = sweepStages({ ...base, out, ...(base.cache === undefined ? {} : { cache: resolve(io.cwd, base.cache) }) }, cells, io.cwd);
  const outcome = await runGridOnQueue({ location: parseQueueUrl(queue), stages, grid, say, ...(signal === undefined ? {} : { signal }) });
  for (const failure of outcome.failures) {
    say(`stage ${failure.name} failed ${failure.attempts} time${failure.attempts === 1 ? '' : 's'}${failure.worker === undefined ? '' : ` (last on ${failure.worker})`}: ${failure.reason}`);
    for (const line of failure.logs) for (const part of line.split('\n')) say(`  | ${part}`);
  }
  if (outcome.failedCells.length > 0) {
    throw new QueueError(`${outcome.failedCells.length} of ${cells.length} sweep cells failed on the queue: ${outcome.failedCells.join(', ')}`, {
      hint: `Their stages' logs are above. Fix the cause and run the same command: finished stages in ${out} are kept`,
    });
  }
  const results: Array<{ cell: SweepCell; rows: ReportRow[] }> = [];
  for (const cell of cells) {
    const report = JSON.parse(await readFile(join(out, cell.name, 'report.json'), 'utf8')) as unknown[];
    results.push({ cell, rows: report.map((row) => reportRowSchema.parse(row)) });
  }
  return results;
}

/**
 * The rows of a sweep's cells, each with its cell's values.
 *
 * @example
 * ```ts
 * sweepRows([{ cell, rows }]); // [{ cell: { sparsity: 0.9 }, stage: 'baseline', ... }, ...]
 * ```
 */
export function sweepRows(cells: ReadonlyArray<{ cell: SweepCell; rows: readonly ReportRow[] }>): SweepRow[] {
  return cells.flatMap(({ cell, rows }) => rows.map((row) => ({ cell: cell.values, ...row })));
}
