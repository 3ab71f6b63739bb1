import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@pofa/core';
import type { RunTask } from '@pofa/tasks';
import { stageJobId } from '../queue/grid-flows';
import { identityHash, type StageOutput, type StageRecord } from '../run-folder';
import { PRUNE_OFA_SPARSITIES } from './prune-ofa-scales';
import { finetuneDense, pretrainDense, sparsePretrain, sparseTransfer, stageModel, type StageContext } from './prune-ofa-stages';

/**
 * The Prune OFA table as a list of stage jobs: what `pofa reproduce` runs in order in-process, and
 * what it puts on a queue for `pofa worker`s. A job says what to run and where (never how it came
 * out); its inputs are read from the stages' folders in the work folder, where every stage writes
 * its model and its record (`done.json`, with the identity the stages after it build theirs on).
 */

/** A stage's input: the output of another job of the plan, or a `--teacher` checkpoint. */
export type StageInput = { job: string; dir: string } | { checkpoint: string };

/** The stage functions of the table, one kind per function (`qat` is sparse transfer with QAT on). */
export type PruneOfaStageKind = 'pretrain-dense' | 'sparse-pretrain' | 'finetune-dense' | 'sparse-transfer' | 'qat';

/** One stage of the Prune OFA table. */
export interface PruneOfaStageJob {
  /** Stable for the same grid: the hash of the grid, the kind, the folder, the settings and the inputs' ids. */
  id: string;
  kind: PruneOfaStageKind;
  /** The stage's folder, relative to the work folder (`bert-base/sotu-party/sparse-85-qat`). */
  dir: string;
  /** What the run says when it starts the stage. */
  label: string;
  model: string;
  sparsity?: number;
  task?: string;
  /** `from`: the model it starts from (or learns from, for pre-training); `teacher`: the model it distils from. */
  inputs: { from?: StageInput; teacher?: StageInput };
  /** The table cell its record fills. */
  cell?: { model: string; variant: string; task: string };
}

/** A model row as the plan needs it: its name, the row it is distilled from, or a `--teacher` checkpoint. */
export interface PlannedModel {
  name: string;
  distilledFrom?: string;
  pretrainedDir?: string;
}

/**
 * The stage jobs of the table in the order the in-process run takes them (every job after those
 * it reads): per model, dense pre-training (none for a `--teacher` checkpoint; the DistilBERT
 * analogue reads the BERT-Base one), sparse pre-training to 85% and 90%, then per task the dense
 * fine-tuning (the "dense" cell and the transfer teacher), and per sparsity the sparse transfer
 * and the QAT run that starts from it. `grid` names the run (its settings and work folder) in
 * every id.
 *
 * @example
 * ```ts
 * const jobs = planPruneOfa([{ name: 'bert-base' }], ['spam'], 'grid-1');
 * jobs.map((job) => job.dir); // ['bert-base/pretrained', 'bert-base/sparse-85', 'bert-base/sparse-90', 'bert-base/spam/dense', 'bert-base/spam/sparse-85', ...]
 * ```
 */
export function planPruneOfa(models: readonly PlannedModel[], tasks: readonly string[], grid: string): PruneOfaStageJob[] {
  const jobs: PruneOfaStageJob[] = [];
  const add = (job: Omit<PruneOfaStageJob, 'id'>): StageInput => {
    const inputs = Object.fromEntries(Object.entries(job.inputs).map(([role, input]) => [role, 'job' in input ? input.job : { checkpoint: input.checkpoint }]));
    const id = stageJobId({ grid, kind: job.kind, dir: job.dir, sparsity: job.sparsity, task: job.task, inputs });
    jobs.push({ id, ...job });
    return { job: id, dir: job.dir };
  };
  const dense = new Map<string, StageInput>();
  for (const model of models) {
    let from: StageInput;
    if (model.pretrainedDir === undefined) {
      const teacher = model.distilledFrom === undefined ? undefined : dense.get(model.distilledFrom);
      if (model.distilledFrom !== undefined && teacher === undefined) throw new ConfigError(`${model.name} is distilled from ${model.distilledFrom}, which comes after it or is missing`, { expected: 'the teacher row before its student' });
      const label = `${model.name}: dense pre-training${model.distilledFrom === undefined ? '' : ` (distilled from ${model.distilledFrom})`}`;
      from = add({ kind: 'pretrain-dense', dir: `${model.name}/pretrained`, label, model: model.name, inputs: teacher === undefined ? {} : { teacher } });
    } else {
      from = { checkpoint: model.pretrainedDir };
    }
    dense.set(model.name, from);
    const sparse = new Map<string, StageInput>();
    for (const { variant, sparsity } of PRUNE_OFA_SPARSITIES) {
      sparse.set(variant, add({ kind: 'sparse-pretrain', dir: `${model.name}/sparse-${variant}`, label: `${model.name}: sparse pre-training to ${variant}%`, model: model.name, sparsity, inputs: { from } }));
    }
    for (const task of tasks) {
      const at = `${model.name}/${task}`;
      const cell = (variant: string) => ({ model: model.name, variant, task });
      const teacher = add({ kind: 'finetune-dense', dir: `${at}/dense`, label: `${model.name} / ${task}: dense fine-tuning`, model: model.name, task, inputs: { from }, cell: cell('dense') });
      for (const { variant, sparsity } of PRUNE_OFA_SPARSITIES) {
        const transferred = add({
          kind: 'sparse-transfer', dir: `${at}/sparse-${variant}`, label: `${model.name} / ${task}: sparse transfer at ${variant}%`,
          model: model.name, sparsity, task, inputs: { from: sparse.get(variant) as StageInput, teacher }, cell: cell(variant),
        });
        add({
          kind: 'qat', dir: `${at}/sparse-${variant}-qat`, label: `${model.name} / ${task}: QAT of the ${variant}% transfer`,
          model: model.name, sparsity, task, inputs: { from: transferred, teacher }, cell: cell(`${variant}+qat`),
        });
      }
    }
  }
  return jobs;
}

/**
 * The record a finished stage wrote in `<work>/<dir>/done.json`, or undefined when it has not
 * finished (or the folder is not there).
 *
 * @example
 * ```ts
 * const record = await readStageRecord('pofa-reproduce/work/prune-ofa-tiny', 'bert-base/spam/dense'); // { metric: 'f1', value: 0.82, ... }
 * ```
 */
export async function readStageRecord<R = Record<string, unknown>>(work: string, dir: string): Promise<StageRecord<R> | undefined> {
  try {
    return JSON.parse(await readFile(join(work, dir, 'done.json'), 'utf8')) as StageRecord<R>;
  } catch {
    return undefined;
  }
}

/** The model an input stands for: a finished job's `model/` folder with its identity, or a checkpoint (identified by its path). */
async function inputOutput(work: string, input: StageInput | undefined, job: PruneOfaStageJob): Promise<StageOutput | undefined> {
  if (input === undefined) return undefined;
  if ('checkpoint' in input) return { dir: input.checkpoint, identity: identityHash({ checkpoint: input.checkpoint }) };
  const record = await readStageRecord(work, input.dir);
  if (record === undefined) {
    throw new ConfigError(`Stage ${job.dir} cannot read ${join(work, input.dir, 'done.json')}`, {
      expected: `the record of the finished stage ${input.dir}`,
      received: 'no such file',
      hint: 'Every worker must see the same work folder: put it on a shared file system and pass the same --store (file:///…) to pofa reproduce and pofa worker',
    });
  }
  return stageModel(join(work, input.dir), record);
}

/** What a run gives {@link runStageJob}: the stage context of each model row, and the tasks. */
export interface PreparedGrid {
  models: ReadonlyArray<{ name: string; layers: number; hidden: number; heads?: number; context: StageContext }>;
  tasks: readonly RunTask[];
}

/**
 * Runs one job of {@link planPruneOfa} in `<work>/<job.dir>` with the stage functions of
 * `prune-ofa-stages.ts`: once per identity (a finished stage is reused; an interrupted one resumes
 * from its last checkpoint), its inputs read from their folders. `context` replaces parts of the
 * model's stage context (a worker's logger and stop signal).
 *
 * @example
 * ```ts
 * for (const job of planPruneOfa(models, ['spam'], grid)) records.push(await runStageJob(job, prepared, work));
 * ```
 */
export async function runStageJob(job: PruneOfaStageJob, prepared: PreparedGrid, work: string, context: Partial<StageContext> = {}): Promise<StageRecord<object> & { reused?: boolean }> {
  const model = prepared.models.find((candidate) => candidate.name === job.model);
  const task = job.task === undefined ? undefined : prepared.tasks.find((candidate) => candidate.name === job.task);
  if (model === undefined || (job.task !== undefined && task === undefined)) {
    throw new ConfigError(`Stage ${job.dir} is not part of this run`, { expected: `a model of ${prepared.models.map(({ name }) => name).join(', ')} and a task of ${prepared.tasks.map(({ name }) => name).join(', ')}`, received: `${job.model}${job.task === undefined ? '' : ` / ${job.task}`}` });
  }
  const stageContext: StageContext = { ...model.context, ...context };
  const dir = join(work, job.dir);
  const from = await inputOutput(work, job.inputs.from, job);
  const teacher = await inputOutput(work, job.inputs.teacher, job);
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new ConfigError(`Stage ${job.dir} (${job.kind}) has no ${what}`, { expected: `a ${job.kind} job of planPruneOfa` });
    return value;
  };
  switch (job.kind) {
    case 'pretrain-dense':
      return pretrainDense({ layers: model.layers, hidden: model.hidden, heads: model.heads ?? 1 }, dir, stageContext, teacher);
    case 'sparse-pretrain':
      return sparsePretrain(need(from, 'dense model'), need(job.sparsity, 'sparsity'), dir, stageContext);
    case 'finetune-dense':
      return finetuneDense(need(from, 'dense model'), need(task, 'task'), dir, stageContext);
    case 'sparse-transfer':
    case 'qat':
      return sparseTransfer({ sparse: need(from, 'model to start from'), teacher: need(teacher, 'teacher'), task: need(task, 'task'), dir, qat: job.kind === 'qat' }, stageContext);
  }
}
