import type { FlowChildJob, FlowJob } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { identityHash } from '../run-folder';
import { CELL_QUEUE, STAGE_ATTEMPTS, STAGE_QUEUE, cellJobId, gridFlows, stageJobId, type GridStage, type StageJobData } from './grid-flows';

/** Every stage job of a flow tree, depth first, with the id of its parent job. */
function nodes(flow: FlowJob | FlowChildJob, parent?: string): Array<{ id: string; parent?: string; queue: string; node: FlowJob | FlowChildJob }> {
  const id = flow.opts?.jobId as string;
  return [{ id, queue: flow.queueName, node: flow, ...(parent === undefined ? {} : { parent }) }, ...(flow.children ?? []).flatMap((child) => nodes(child, id))];
}

// a diamond: pretrain → sparse, pretrain → finetune; transfer reads sparse and finetune; qat reads transfer and finetune.
const stage = (id: string, needs: string[], cell?: string): GridStage => ({ id, name: `m/${id}`, needs, ...(cell === undefined ? {} : { cell }), data: { kind: id } });
const DIAMOND = [stage('pretrain', []), stage('sparse', ['pretrain']), stage('finetune', ['pretrain'], 'm/t/dense'), stage('transfer', ['sparse', 'finetune'], 'm/t/90'), stage('qat', ['transfer', 'finetune'], 'm/t/90+qat')];

describe('gridFlows', () => {
  it('makes one flow per cell: a parent in the cell queue whose child is the cell stage', () => {
    const flows = gridFlows(DIAMOND, { scale: 'smoke' });
    expect(flows.map((flow) => [flow.queueName, flow.opts?.jobId, flow.name])).toEqual([
      [CELL_QUEUE, 'cell-finetune', 'm/t/dense'],
      [CELL_QUEUE, 'cell-transfer', 'm/t/90'],
      [CELL_QUEUE, 'cell-qat', 'm/t/90+qat'],
    ]);
    expect(flows[0].data).toEqual({ cell: 'm/t/dense', stage: { id: 'finetune', name: 'm/finetune' } });
    expect(cellJobId('x')).toBe('cell-x');
  });

  it('puts every stage in exactly one flow, under the first cell that needs it; the others wait for it by id', () => {
    const flows = gridFlows(DIAMOND, { scale: 'smoke' });
    const all = flows.flatMap((flow) => nodes(flow)).filter((node) => node.queue === STAGE_QUEUE);
    // Worked out by hand: the dense cell claims finetune and pretrain; the 90 cell transfer and sparse; qat is alone.
    expect(all.map(({ id, parent }) => [id, parent])).toEqual([
      ['finetune', 'cell-finetune'], ['pretrain', 'finetune'],
      ['transfer', 'cell-transfer'], ['sparse', 'transfer'],
      ['qat', 'cell-qat'],
    ]);
    const data = (id: string) => all.find((node) => node.id === id)?.node.data as StageJobData;
    // Each stage job still lists all it reads (a worker checks them), with the grid and the stage's own data.
    expect(data('qat')).toEqual({ grid: { scale: 'smoke' }, stage: { kind: 'qat' }, name: 'm/qat', needs: [{ id: 'transfer', name: 'm/transfer' }, { id: 'finetune', name: 'm/finetune' }] });
    expect(data('pretrain').needs).toEqual([]);
  });

  it('gives stages their retries and fails the waiting parent when a stage fails for good', () => {
    const flows = gridFlows(DIAMOND, {});
    for (const node of flows.flatMap((flow) => nodes(flow)).filter((item) => item.queue === STAGE_QUEUE)) {
      expect(node.node.opts).toMatchObject({ jobId: node.id, attempts: STAGE_ATTEMPTS, failParentOnFailure: true, removeOnComplete: false, removeOnFail: false });
    }
    expect(STAGE_ATTEMPTS).toBe(3);
  });

  it('is the same for the same stages (adding the grid again is harmless) and runs a stage no cell needs in a flow of its own', () => {
    expect(gridFlows(DIAMOND, { a: 1 })).toEqual(gridFlows(DIAMOND, { a: 1 }));
    const flows = gridFlows([...DIAMOND, stage('extra', ['pretrain'])], {});
    expect(flows).toHaveLength(4);
    expect(flows[3]).toMatchObject({ queueName: STAGE_QUEUE, opts: { jobId: 'extra' } });
    expect(flows[3].children).toBeUndefined();
  });

  it('refuses a stage that needs one missing from the grid', () => {
    expect(() => gridFlows([stage('transfer', ['nowhere'], 'm/t/90')], {})).toThrow('grid stage m/transfer needs nowhere, which is not in the grid');
  });
});

describe('stageJobId', () => {
  it('never reads as an integer, which BullMQ refuses as a custom job id, even when the hash is all digits', () => {
    // BullMQ's check (Job.validateOptions): `${parseInt(id, 10)}` === id. A 16-hex-digit hash is all
    // decimal digits about once in 1,900: find such an identity, as a grid's may be.
    const readsAsInteger = (id: string) => `${parseInt(id, 10)}` === id;
    let digits = 0;
    while (!readsAsInteger(identityHash({ grid: 'g', stage: digits }))) digits++;
    expect(readsAsInteger(identityHash({ grid: 'g', stage: digits }))).toBe(true);
    const id = stageJobId({ grid: 'g', stage: digits });
    expect(id).toBe(`stage-${identityHash({ grid: 'g', stage: digits })}`);
    expect(readsAsInteger(id)).toBe(false);
  });
});
