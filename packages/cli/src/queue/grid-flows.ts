import type { FlowChildJob, FlowJob, JobsOptions } from 'bullmq';
import { identityHash } from '../run-folder';

/** The BullMQ key prefix of pofa's queues (Redis keys `pofa:stages:…`, `pofa:cells:…`). */
export const QUEUE_PREFIX = 'pofa';
/** The queue of the stages: `pofa worker` trains them. */
export const STAGE_QUEUE = 'stages';
/** The queue of the cells of a table: parents that complete when their stage and its inputs have. */
export const CELL_QUEUE = 'cells';
/** How often a stage that fails is tried in all, before its cells are reported failed. */
export const STAGE_ATTEMPTS = 3;

/**
 * One stage of a grid as a job: `id` is stable (the same grid gives the same ids, so a shared
 * stage is one job however many cells read it), `name` its folder in the work folder (readable
 * in logs), `needs` the ids of the stages whose outputs it reads, `cell` the table cell its record
 * fills (if any), and `data` what a worker needs to run it.
 */
export interface GridStage {
  id: string;
  name: string;
  needs: string[];
  cell?: string;
  data: unknown;
}

/** What a stage job carries: the grid (settings shared by every stage), the stage, and its inputs to wait for. */
export interface StageJobData {
  grid: unknown;
  stage: unknown;
  name: string;
  needs: Array<{ id: string; name: string }>;
}

/** What a cell job carries: the cell, and the stage whose record fills it. */
export interface CellJobData {
  cell: string;
  stage: { id: string; name: string };
}

/** A stage is tried {@link STAGE_ATTEMPTS} times, 1 s then 2 s apart; its failure fails the parent that waits for it. */
export const STAGE_JOB_OPTIONS: Omit<JobsOptions, 'jobId'> = {
  attempts: STAGE_ATTEMPTS,
  backoff: { type: 'exponential', delay: 1000 },
  failParentOnFailure: true,
  removeOnComplete: false,
  removeOnFail: false,
};

/**
 * The job id of a grid stage: `stage-` and the hash of what identifies it. The prefix matters:
 * BullMQ refuses a custom id that reads as an integer, and a 16-digit hash is all decimal digits
 * about once in 1,900 stages.
 *
 * @example
 * ```ts
 * stageJobId({ grid: 'g', kind: 'pretrain-dense', dir: 'bert-base/pretrained' }); // 'stage-…' (16 hex digits)
 * ```
 */
export function stageJobId(identity: unknown): string {
  return `stage-${identityHash(identity)}`;
}

/**
 * The job id of a cell: `cell-` and its stage's id.
 *
 * @example
 * ```ts
 * cellJobId('3f0c9a1b2c3d4e5f'); // 'cell-3f0c9a1b2c3d4e5f'
 * ```
 */
export function cellJobId(stageId: string): string {
  return `cell-${stageId}`;
}

/**
 * The BullMQ flows of a grid: one per cell, a parent job in {@link CELL_QUEUE} whose child is the
 * cell's stage, whose children are the stages it reads, and so on. BullMQ gives a job one parent
 * at most, so a stage read by several (the dense pre-training, read by every sparsity and task)
 * is a child in the flow of the first cell that needs it, in `stages` order, and every other
 * stage that reads it waits for it by its id instead (the worker checks `needs` before running a
 * stage, and puts it back for a second while one is not finished). Each stage is thus one job;
 * the flows are the same for the same `stages`, so adding them again is harmless. `stages` must
 * list every stage after those it needs.
 *
 * @example
 * ```ts
 * const flows = gridFlows([{ id: 'a', name: 'm/pretrained', needs: [], data: {} }, { id: 'b', name: 'm/t/dense', needs: ['a'], cell: 'm/t/dense', data: {} }], { scale: 'smoke' });
 * flows[0].children?.[0].children?.[0].opts?.jobId; // 'a'
 * ```
 */
export function gridFlows(stages: readonly GridStage[], grid: unknown): FlowJob[] {
  const byId = new Map(stages.map((stage) => [stage.id, stage]));
  const claimed = new Set<string>();
  const node = (stage: GridStage): FlowChildJob => {
    claimed.add(stage.id);
    const needs = stage.needs.map((id) => {
      const need = byId.get(id);
      if (need === undefined) throw new Error(`grid stage ${stage.name} needs ${id}, which is not in the grid`);
      return need;
    });
    const children: FlowChildJob[] = [];
    for (const need of needs) if (!claimed.has(need.id)) children.push(node(need));
    const data: StageJobData = { grid, stage: stage.data, name: stage.name, needs: needs.map(({ id, name }) => ({ id, name })) };
    return { name: stage.name, queueName: STAGE_QUEUE, data, opts: { jobId: stage.id, ...STAGE_JOB_OPTIONS }, ...(children.length === 0 ? {} : { children }) };
  };
  const flows: FlowJob[] = [];
  for (const stage of stages) {
    if (stage.cell === undefined) continue;
    const data: CellJobData = { cell: stage.cell, stage: { id: stage.id, name: stage.name } };
    const children = claimed.has(stage.id) ? [] : [node(stage)];
    flows.push({ name: stage.cell, queueName: CELL_QUEUE, data, opts: { jobId: cellJobId(stage.id), removeOnComplete: false, removeOnFail: false }, ...(children.length === 0 ? {} : { children }) });
  }
  // A stage no cell reads (none in the Prune OFA grid) still runs, as a flow of its own.
  for (const stage of stages) if (!claimed.has(stage.id)) flows.push(node(stage));
  return flows;
}
