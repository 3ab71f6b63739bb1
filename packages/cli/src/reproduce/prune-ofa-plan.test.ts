import { describe, expect, it } from 'vitest';
import { identityHash } from '../run-folder';
import { planPruneOfa, type PruneOfaStageJob } from './prune-ofa-plan';
import { pruneOfaGridStages } from './prune-ofa-queue';
import { SCALES } from '../pipeline/scales';

const SMOKE = SCALES.smoke;
const byDir = (jobs: readonly PruneOfaStageJob[], dir: string): PruneOfaStageJob => jobs.find((job) => job.dir === dir) as PruneOfaStageJob;

describe('planPruneOfa', () => {
  it('lists the stages in the order the in-process run took them, each after the stages it reads', () => {
    const jobs = planPruneOfa([{ name: 'bert-base' }, { name: 'distilbert', distilledFrom: 'bert-base' }], ['spam'], 'grid');
    const perModel = (model: string) => [
      `${model}/pretrained`, `${model}/sparse-85`, `${model}/sparse-90`,
      `${model}/spam/dense`, `${model}/spam/sparse-85`, `${model}/spam/sparse-85-qat`, `${model}/spam/sparse-90`, `${model}/spam/sparse-90-qat`,
    ];
    expect(jobs.map((job) => job.dir)).toEqual([...perModel('bert-base'), ...perModel('distilbert')]);
    expect(jobs.map((job) => job.kind).slice(0, 8)).toEqual(['pretrain-dense', 'sparse-pretrain', 'sparse-pretrain', 'finetune-dense', 'sparse-transfer', 'qat', 'sparse-transfer', 'qat']);
    const seen = new Set<string>();
    for (const job of jobs) {
      for (const input of Object.values(job.inputs)) if (input !== undefined && 'job' in input) expect(seen.has(input.job), job.dir).toBe(true);
      seen.add(job.id);
    }
  });

  it('wires each stage to the stages it reads, and names the cells of the table in its row order', () => {
    const jobs = planPruneOfa([{ name: 'bert-base' }, { name: 'distilbert', distilledFrom: 'bert-base' }], ['spam'], 'grid');
    const ref = (dir: string) => ({ job: byDir(jobs, dir).id, dir });
    expect(byDir(jobs, 'bert-base/pretrained').inputs).toEqual({});
    expect(byDir(jobs, 'distilbert/pretrained').inputs).toEqual({ teacher: ref('bert-base/pretrained') });
    expect(byDir(jobs, 'distilbert/sparse-90')).toMatchObject({ sparsity: 0.9, inputs: { from: ref('distilbert/pretrained') } });
    expect(byDir(jobs, 'bert-base/spam/sparse-85').inputs).toEqual({ from: ref('bert-base/sparse-85'), teacher: ref('bert-base/spam/dense') });
    expect(byDir(jobs, 'bert-base/spam/sparse-85-qat').inputs).toEqual({ from: ref('bert-base/spam/sparse-85'), teacher: ref('bert-base/spam/dense') });
    expect(jobs.filter((job) => job.cell !== undefined).map((job) => `${job.cell?.model} ${job.cell?.variant}`)).toEqual(
      ['bert-base', 'distilbert'].flatMap((model) => ['dense', '85', '85+qat', '90', '90+qat'].map((variant) => `${model} ${variant}`)),
    );
  });

  it('gives ids that are stable for a grid, differ between grids, and hash the stage with its inputs', () => {
    const models = SMOKE.models.map(({ name, distilledFrom }) => ({ name, ...(distilledFrom === undefined ? {} : { distilledFrom }) }));
    const jobs = planPruneOfa(models, SMOKE.tasks, 'grid-a');
    expect(jobs).toHaveLength(3 * (1 + 2 + 5));
    expect(new Set(jobs.map((job) => job.id)).size).toBe(jobs.length);
    expect(planPruneOfa(models, SMOKE.tasks, 'grid-a').map((job) => job.id)).toEqual(jobs.map((job) => job.id));
    const other = planPruneOfa(models, SMOKE.tasks, 'grid-b');
    expect(other.every((job, index) => job.id !== jobs[index].id)).toBe(true);
    const dense = byDir(jobs, 'bert-base/pretrained');
    expect(dense.id).toBe(`stage-${identityHash({ grid: 'grid-a', kind: 'pretrain-dense', dir: 'bert-base/pretrained', inputs: {} })}`);
    expect(byDir(jobs, 'bert-base/sparse-85').id).toBe(`stage-${identityHash({ grid: 'grid-a', kind: 'sparse-pretrain', dir: 'bert-base/sparse-85', sparsity: 0.85, inputs: { from: dense.id } })}`);
  });

  it('starts a --teacher checkpoint row from the checkpoint, without a pre-training job', () => {
    const jobs = planPruneOfa([{ name: 'bert-base', pretrainedDir: '/ckpt/bert-base-uncased' }], ['sst2'], 'grid');
    expect(jobs.map((job) => job.dir)).toEqual(['bert-base/sparse-85', 'bert-base/sparse-90', 'bert-base/sst2/dense', 'bert-base/sst2/sparse-85', 'bert-base/sst2/sparse-85-qat', 'bert-base/sst2/sparse-90', 'bert-base/sst2/sparse-90-qat']);
    expect(byDir(jobs, 'bert-base/sst2/dense').inputs).toEqual({ from: { checkpoint: '/ckpt/bert-base-uncased' } });
    expect(() => planPruneOfa([{ name: 'distilbert', distilledFrom: 'bert-base' }], ['spam'], 'grid')).toThrow(/distilbert is distilled from bert-base, which comes after it or is missing/);
  });

  it('turns into queue stages: folders as names, the jobs read as needs, model/task/variant as cells', () => {
    const jobs = planPruneOfa([{ name: 'bert-base' }], ['spam'], 'grid');
    const stages = pruneOfaGridStages(jobs);
    const qat = stages.find((stage) => stage.name === 'bert-base/spam/sparse-90-qat');
    expect(qat).toMatchObject({ cell: 'bert-base/spam/90+qat', needs: [byDir(jobs, 'bert-base/spam/sparse-90').id, byDir(jobs, 'bert-base/spam/dense').id] });
    expect(stages.find((stage) => stage.name === 'bert-base/pretrained')).toMatchObject({ needs: [] });
    expect(stages.find((stage) => stage.name === 'bert-base/pretrained')?.cell).toBeUndefined();
    expect(stages.map((stage) => stage.data)).toEqual(jobs);
  });
});
