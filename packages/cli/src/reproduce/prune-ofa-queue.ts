import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@pofa/core';
import packageJson from '../../package.json';
import type { GridStage, StageJobData } from '../queue/grid-flows';
import { isS3Url } from '../queue/s3-location';
import { bucketStore, runStageInBucket } from '../queue/s3-stage-runner';
import { identityHash, type Say } from '../run-folder';
import { describePruneOfaGrid, preparePruneOfaGrid, type PruneOfaGridSettings } from './prune-ofa-grid';
import { runStageJob, type PreparedGrid, type PruneOfaStageJob } from './prune-ofa-plan';
import { runIdentity } from './run-files';

/**
 * What every queued stage of a Prune OFA run carries: the settings a worker rebuilds the run
 * from, the work folder (the store: a folder or an `s3://` URL, and the folder's name in it), the hash of the run-wide
 * identity the driver opened it with, and the pofa version that planned it.
 */
export interface PruneOfaGrid {
  benchmark: 'prune-ofa';
  version: string;
  settings: PruneOfaGridSettings;
  store: string;
  folder: string;
  run: string;
}

/**
 * The jobs of a plan as queue stages: each job's id, its folder as its name, the ids of the jobs
 * it reads, and its table cell (`model/task/variant`).
 *
 * @example
 * ```ts
 * const stages = pruneOfaGridStages(planPruneOfa(models, ['spam'], grid)); // stages[3].cell === 'bert-base/spam/dense'
 * ```
 */
export function pruneOfaGridStages(plan: readonly PruneOfaStageJob[]): GridStage[] {
  return plan.map((job) => ({
    id: job.id,
    name: job.dir,
    needs: Object.values(job.inputs).flatMap((input) => (input !== undefined && 'job' in input ? [input.job] : [])),
    ...(job.cell === undefined ? {} : { cell: `${job.cell.model}/${job.cell.task}/${job.cell.variant}` }),
    data: job,
  }));
}

/** The run a worker rebuilt last (one at a time: a worker serves one grid after another). */
let prepared: { key: string; grid: Promise<PreparedGrid> } | undefined;

/**
 * Runs a queued Prune OFA stage on a worker: checks that this pofa plans the run as the driver did
 * (same version and run-wide identity) and that the work folder is the driver's (its
 * `settings.json`), rebuilds the run's data once per process (cached for the next stage of the same
 * run), then runs the stage as the in-process run does ({@link runStageJob}). `store` replaces the
 * driver's store root, for a machine that mounts the shared folder elsewhere. With an `s3://`
 * store the stage runs on a copy in `cache` (default: `pofa-worker-cache` in the temporary
 * folder), its inputs downloaded first and its folder uploaded after ({@link runStageInBucket}).
 *
 * @example
 * ```ts
 * await runQueuedPruneOfaStage(job.data, { say, signal, store: '/mnt/pofa-work' });
 * ```
 */
export async function runQueuedPruneOfaStage(data: StageJobData, tools: { say: Say; signal: AbortSignal; store?: string; cache?: string }): Promise<{ reused: boolean; seconds?: number }> {
  const grid = data.grid as PruneOfaGrid;
  const job = data.stage as PruneOfaStageJob;
  if (grid.version !== packageJson.version) {
    throw new ConfigError(`Stage ${job.dir} was queued by pofa ${grid.version}, and this worker is pofa ${packageJson.version}`, { hint: 'Run the same pofa version on the driver and every worker' });
  }
  const { scale } = await describePruneOfaGrid(grid.settings);
  const identity = runIdentity('prune-ofa', grid.settings, scale);
  if (identityHash(identity) !== grid.run) {
    throw new ConfigError(`This worker's pofa has other run-wide settings for --scale ${grid.settings.scale} than the driver's`, { hint: 'Run the same pofa version on the driver and every worker' });
  }
  const key = identityHash(grid.settings);
  if (prepared?.key !== key) {
    prepared = { key, grid: preparePruneOfaGrid(grid.settings, () => undefined, { progress: false, checkpointEvery: scale.checkpointEvery }) };
    prepared.grid.catch(() => (prepared = undefined));
  }
  const training = { progress: false as const, checkpointEvery: scale.checkpointEvery, signal: tools.signal };
  const runIn = async (work: string): Promise<{ reused: boolean; seconds?: number }> => {
    const record = await runStageJob(job, await (prepared as { grid: Promise<PreparedGrid> }).grid, work, { say: tools.say, training });
    return { reused: record.reused === true, ...(typeof record.seconds === 'number' ? { seconds: record.seconds } : {}) };
  };
  const store = tools.store ?? grid.store;
  if (isS3Url(store)) {
    const inputs = Object.values(job.inputs).flatMap((input) => (input !== undefined && 'job' in input ? [input.dir] : []));
    const bucket = { store: await bucketStore(store), folder: grid.folder, run: grid.run, identity, stage: job.dir, inputs, say: tools.say };
    return runStageInBucket({ ...bucket, cache: tools.cache ?? join(tmpdir(), 'pofa-worker-cache') }, runIn);
  }
  const work = join(store, grid.folder);
  let saved: string | undefined;
  try {
    saved = (JSON.parse(await readFile(join(work, 'settings.json'), 'utf8')) as { hash?: string }).hash;
  } catch {
    saved = undefined;
  }
  if (saved !== grid.run) {
    throw new ConfigError(`The work folder ${work} is not the one pofa reproduce opened for this run`, {
      expected: `its settings.json with run hash ${grid.run}`,
      received: saved === undefined ? 'no settings.json' : `run hash ${saved}`,
      hint: 'Every worker must see the same work folder: put it on a shared file system, give it to pofa reproduce with --store file:///…, and to pofa worker with --store where it is mounted at another path',
    });
  }
  return runIn(work);
}
