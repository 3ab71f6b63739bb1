import { basename, dirname, join, resolve } from 'node:path';
import { parseOptions } from '@pofa/core';
import { textBaseline } from '@pofa/tasks';
import { z } from 'zod';
import packageJson from '../../package.json';
import { QueueError } from '../queue/queue-error';
import { parseQueueUrl } from '../queue/queue-url';
import { openGridBucket } from '../queue/grid-bucket';
import { runGridOnQueue, type GridOutcome } from '../queue/run-grid';
import { identityHash, openWorkFolder, writeResultFiles, type Say, type StageRecord } from '../run-folder';
import { runnerOptionsShape } from './options';
import { describePruneOfaGrid, preparePruneOfaGrid, trainingOf, type PruneOfaGridSettings } from './prune-ofa-grid';
import { planPruneOfa, readStageRecord, runStageJob, type PruneOfaStageJob } from './prune-ofa-plan';
import { pruneOfaGridStages, type PruneOfaGrid } from './prune-ofa-queue';
import { formatPruneOfaMarkdown, pruneOfaPlots, withRetention, type BaselineCell, type PruneOfaRow } from './prune-ofa-report';
import { loadEmbeddedTask } from './data';
import type { StageSizes } from '../pipeline/scales';
import { ensureBackend, runIdentity, timedLogger } from './run-files';

/**
 * Options of {@link reproducePruneOfa}. `teacher` (one or more Hugging Face directories), `glue`
 * (a folder of GLUE task folders: MNLI, QQP, QNLI, SST-2), `squad` and `corpus` (a text file, one
 * passage per line, for sparse pre-training) belong to the `full` scale only.
 *
 * @example
 * ```ts
 * pruneOfaOptionsSchema.safeParse({ scale: 'tiny', out: 'results', glue: 'glue_data' }).success; // false: --glue is for full
 * ```
 */
export const pruneOfaOptionsSchema = z
  .object({
    scale: z.enum(['smoke', 'tiny', 'mini', 'full']),
    ...runnerOptionsShape,
    teacher: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    glue: z.string().min(1).optional(),
    squad: z.string().min(1).optional(),
    corpus: z.string().min(1).optional(),
    /** `redis://HOST:PORT`: run the stages on \`pofa worker\`s through BullMQ instead of in this process. */
    queue: z.string().min(1).optional(),
    /** `s3://BUCKET/PREFIX[?endpoint=URL]`, with `queue`: the stages' work folder is in that bucket instead of `work`. */
    store: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((options, context) => {
    const fullOnly = (['teacher', 'glue', 'squad', 'corpus'] as const).filter((key) => options[key] !== undefined);
    if (options.scale !== 'full' && fullOnly.length > 0) {
      context.addIssue({ code: 'custom', message: `${fullOnly.map((key) => `--${key}`).join(', ')} only apply to --scale full (the other scales use the embedded data)` });
    }
    if (options.scale === 'full' && options.teacher === undefined) context.addIssue({ code: 'custom', message: '--scale full needs --teacher HF_DIR (a Hugging Face BERT or DistilBERT directory)' });
    if (options.store !== undefined && options.queue === undefined) context.addIssue({ code: 'custom', message: 'an s3:// store needs a queue (the stages run on pofa workers)' });
    if (options.scale === 'full' && options.glue === undefined && options.squad === undefined) {
      context.addIssue({ code: 'custom', message: '--scale full needs --glue DIR and/or --squad FILE' });
    }
  });

/** What {@link reproducePruneOfa} takes. */
export type PruneOfaOptions = z.input<typeof pruneOfaOptionsSchema>;

/** What a reproduce runner returns: the rows, the files written and the wall time of this call. */
export interface ReproduceResult<Row> {
  rows: Row[];
  files: string[];
  seconds: number;
}

/**
 * The backends the stages of a table ran on (a run continued in another session may mix them),
 * joined with `+`; `current` when no record names one.
 *
 * @example
 * ```ts
 * backendsOf([{ backend: 'wasm' }, { backend: 'wasm' }], 'cpu'); // 'wasm'
 * ```
 */
export function backendsOf(records: ReadonlyArray<{ backend?: string }>, current: string): string {
  const names = [...new Set(records.map((record) => record.backend).filter((name): name is string => typeof name === 'string'))];
  return names.length === 0 ? current : names.join('+');
}

/**
 * The seconds the stages of a table took, summed over their records (across sessions when a
 * run was continued); stages made before stage times were recorded count 0.
 *
 * @example
 * ```ts
 * stageSeconds([{ seconds: 12.5 }, { seconds: 3 }]); // 15.5
 * ```
 */
export function stageSeconds(records: ReadonlyArray<{ seconds?: number }>): number {
  return records.reduce((sum, record) => sum + (typeof record.seconds === 'number' ? record.seconds : 0), 0);
}

/** The settings of a run that its stages are made from (what a queued stage carries). */
function gridSettings(settings: z.output<typeof pruneOfaOptionsSchema>): PruneOfaGridSettings {
  const { scale, seed, teacher, glue, squad, corpus } = settings;
  return {
    scale, seed,
    ...(teacher === undefined ? {} : { teacher: [teacher].flat().map((dir) => resolve(dir)) }),
    ...(glue === undefined ? {} : { glue: resolve(glue) }),
    ...(squad === undefined ? {} : { squad: resolve(squad) }),
    ...(corpus === undefined ? {} : { corpus: resolve(corpus) }),
  };
}

/** The records of the plan's finished stages in plan order, and the table rows of those that fill a cell. */
async function collectRecords(plan: readonly PruneOfaStageJob[], read: (dir: string) => Promise<StageRecord<Record<string, unknown>> | undefined>, finished?: ReadonlySet<string>): Promise<{ records: Array<StageRecord<{ seconds?: number }>>; rows: Array<Omit<PruneOfaRow, 'retention'>> }> {
  const records: Array<StageRecord<{ seconds?: number }>> = [];
  const rows: Array<Omit<PruneOfaRow, 'retention'>> = [];
  for (const job of plan) {
    if (finished !== undefined && !finished.has(job.id)) continue;
    const record = (await read(job.dir)) as StageRecord<{ metric: string; value: number; sparsity: number; seconds?: number }> | undefined;
    if (record === undefined) continue;
    records.push(record);
    if (job.cell !== undefined) rows.push({ ...job.cell, metric: record.metric, value: record.value, sparsity: record.sparsity });
  }
  return { records, rows };
}

/** Runs the plan through the queue, says the failed stages with their logs, and returns what finished. */
async function runOnQueue(queue: string, plan: readonly PruneOfaStageJob[], grid: PruneOfaGrid, say: Say, signal: AbortSignal | undefined): Promise<GridOutcome> {
  const stages = pruneOfaGridStages(plan);
  const outcome = await runGridOnQueue({ location: parseQueueUrl(queue), stages, grid, say, ...(signal === undefined ? {} : { signal }) });
  const finished = new Set(stages.filter((stage) => stage.cell === undefined || outcome.finished.has(stage.id)).map((stage) => stage.id));
  for (const failure of outcome.failures) {
    say(`stage ${failure.name} failed ${failure.attempts} time${failure.attempts === 1 ? '' : 's'}${failure.worker === undefined ? '' : ` (last on ${failure.worker})`}: ${failure.reason}`);
    for (const line of failure.logs) for (const part of line.split('\n')) say(`  | ${part}`);
  }
  return { ...outcome, finished };
}

/**
 * The TF-IDF baseline of each embedded task of the table (`textBaseline` of `@pofa/tasks` on the
 * same seeded splits the cells use); none at the `full` scale, whose GLUE folders only the stages read.
 *
 * @example
 * ```ts
 * await taskBaselines({ scale: 'tiny', seed: 0 }, SCALES.tiny, ['spam']); // [{ task: 'spam', metric: 'f1', value: 0.96 }]
 * ```
 */
export async function taskBaselines(settings: { scale: string; seed: number }, scale: StageSizes, tasks: readonly string[]): Promise<BaselineCell[]> {
  if (settings.scale === 'full') return [];
  const cells: BaselineCell[] = [];
  for (const name of tasks) {
    const { metric, value } = textBaseline(await loadEmbeddedTask(name, scale.taskExamples, settings.seed));
    cells.push({ task: name, metric, value });
  }
  return cells;
}

/**
 * Runs the Prune OFA benchmark at a scale and writes `prune-ofa-<scale>.json` (the rows
 * `{ model, variant, task, metric, value, sparsity, retention }`), `prune-ofa-<scale>.md` (beside
 * the paper's numbers) and one `prune-ofa-<scale>-<task>.svg` per task into `out`. For each
 * model: dense pre-training (or distillation, for the DistilBERT analogue), sparse pre-training to
 * 85% and 90% (distillation + cubic gradual magnitude pruning), and for each task: dense
 * fine-tuning, sparse transfer (pattern lock + task distillation) and QAT on top. Each stage
 * saves its model and result in `work` (default `<out>/work/prune-ofa-<scale>`), so a run that
 * stops (Ctrl-C through `signal`, a crash, a closed session) continues there: finished stages are
 * not run again, and an interrupted one resumes from its last checkpoint. Each stage records the
 * settings it was made with (its identity): when they change (its steps, its learning rate, or a
 * stage it reads from), that stage and the stages after it run again and the others are kept;
 * when what every stage depends on changes ({@link runIdentity}), `work` is emptied.
 *
 * With `queue` (`redis://HOST:PORT`) the same stages go to that BullMQ queue instead, for `pofa
 * worker`s that see `work` (a shared folder), or, with `store` (`s3://BUCKET/PREFIX`), that keep
 * the work folder in that bucket; this call waits for them and writes the same table from the
 * stages' records (read from the bucket). When cells failed (a stage failed three times), it says their stages'
 * logs, writes the table of the other cells, then throws a `QueueError`.
 *
 * @example
 * ```ts
 * const { rows, files } = await reproducePruneOfa({ scale: 'tiny', out: 'pofa-reproduce', log: console.error });
 * await reproducePruneOfa({ scale: 'mini', out: 'results', work: '/shared/pofa-work', queue: 'redis://queue-host:6379', log: console.error });
 * ```
 */
export async function reproducePruneOfa(options: PruneOfaOptions): Promise<ReproduceResult<PruneOfaRow>> {
  const settings = parseOptions(pruneOfaOptionsSchema, options, 'prune-ofa options', { hint: 'See pofa reproduce --help' });
  const say = timedLogger(settings.log);
  const started = performance.now();
  const backend = await ensureBackend();
  const grid = gridSettings(settings);
  const { scale, models, tasks } = await describePruneOfaGrid(grid);
  const identity = runIdentity('prune-ofa', settings, scale);
  const run = identityHash(identity);
  // The work folder: a local (or shared) folder, or a folder in an S3 bucket that only the workers write to.
  const bucket = settings.store === undefined ? undefined : await openGridBucket(settings.store, `prune-ofa-${settings.scale}`, { run, identity }, say);
  const work = bucket?.work ?? (await openWorkFolder(resolve(settings.work ?? join(settings.out, 'work', `prune-ofa-${settings.scale}`)), identity, say));
  // Every stage of the table, in the order the in-process run takes them; the ids name this run and work folder.
  const plan = planPruneOfa(models, tasks, identityHash({ run, work }));
  let outcome: GridOutcome | undefined;
  if (settings.queue === undefined) {
    const prepared = await preparePruneOfaGrid(grid, say, trainingOf(settings, scale.checkpointEvery));
    for (const job of plan) {
      say(job.label);
      await runStageJob(job, prepared, work);
    }
  } else {
    const where = bucket === undefined ? { store: dirname(work), folder: basename(work) } : { store: bucket.url, folder: bucket.folder };
    const payload: PruneOfaGrid = { benchmark: 'prune-ofa', version: packageJson.version, settings: grid, ...where, run };
    outcome = await runOnQueue(settings.queue, plan, payload, say, settings.signal);
  }
  // The table comes from the stage records in the work folder, whichever way the stages ran.
  const { records, rows } = await collectRecords(plan, bucket?.readRecord ?? ((dir) => readStageRecord(work, dir)), outcome?.finished);
  const seconds = (performance.now() - started) / 1000;
  const usedBackends = backendsOf(records, backend);
  const computeSeconds = stageSeconds(records);
  const withRatios = withRetention(rows);
  const modelList = models.map(({ pretrainedDir: _dir, ...spec }) => spec);
  const name = `prune-ofa-${settings.scale}`;
  const plots = pruneOfaPlots({ rows: withRatios, models: modelList, tasks });
  const baselines = await taskBaselines(settings, scale, tasks);
  const json = { benchmark: 'prune-ofa', scale: settings.scale, backend: usedBackends, seconds, stageSeconds: computeSeconds, seed: settings.seed, models: modelList, tasks, rows: withRatios, baselines };
  const files = await writeResultFiles(settings.out, {
    [`${name}.json`]: `${JSON.stringify(json, null, 2)}\n`,
    [`${name}.md`]: formatPruneOfaMarkdown({ scale: settings.scale, rows: withRatios, models: modelList, tasks, seconds, stageSeconds: computeSeconds, backend: usedBackends, baselines }),
    ...Object.fromEntries(Object.entries(plots).map(([task, svg]) => [`${name}-${task}.svg`, svg])),
  });
  say(`done in ${seconds.toFixed(0)} s: ${files.join(', ')}`);
  if (outcome !== undefined && outcome.failedCells.length > 0) {
    const cells = plan.filter((job) => job.cell !== undefined).length;
    const [first] = outcome.failures;
    const cause = first === undefined ? '' : `: ${outcome.failures.map((failure) => failure.name).join(', ')} failed (${first.name}: ${first.reason})`;
    throw new QueueError(`${outcome.failedCells.length} of ${cells} cells failed on the queue${cause}`, {
      hint: `The table in ${settings.out} holds the other cells; the failed stages' logs are above. Fix the cause and run the same command: finished stages are kept`,
    });
  }
  return { rows: withRatios, files, seconds };
}
