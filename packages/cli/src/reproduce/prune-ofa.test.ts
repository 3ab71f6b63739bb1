import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, initBackend } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeTeacher, findGlueTasks } from './full-scale';
import { formatPruneOfaMarkdown, withRetention, type PruneOfaRow } from './prune-ofa-report';
import { backendsOf, reproducePruneOfa, stageSeconds, type ReproduceResult } from './prune-ofa-run';
import { PRUNE_OFA_VARIANTS } from './prune-ofa-scales';
import { SCALES } from '../pipeline/scales';

const NOMINAL: Record<string, number> = { dense: 0, 85: 0.85, 90: 0.9, '85+qat': 0.85, '90+qat': 0.9 };

const rowSchema = z
  .object({
    model: z.enum(['bert-base', 'bert-large', 'distilbert']),
    variant: z.enum(['dense', '85', '90', '85+qat', '90+qat']),
    task: z.string(),
    metric: z.string(),
    value: z.number().finite(),
    sparsity: z.number().min(0).max(1),
    retention: z.number().finite().nullable(),
  })
  .strict();

let out: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  out = await mkdtemp(join(tmpdir(), 'pofa-prune-ofa-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('prune-ofa at the smoke scale', () => {
  let result: ReproduceResult<PruneOfaRow>;
  beforeAll(async () => {
    result = await reproducePruneOfa({ scale: 'smoke', out });
  });

  it('writes one row per model, variant and task, each with the row schema', async () => {
    const { models, tasks } = SCALES.smoke;
    expect(result.rows).toHaveLength(models.length * PRUNE_OFA_VARIANTS.length * tasks.length);
    for (const row of result.rows) rowSchema.parse(row);
    const keys = new Set(result.rows.map((row) => `${row.model}/${row.variant}/${row.task}`));
    expect(keys.size).toBe(result.rows.length);
    const json = JSON.parse(await readFile(join(out, 'prune-ofa-smoke.json'), 'utf8'));
    expect(json.rows).toEqual(result.rows);
    expect(json.scale).toBe('smoke');
    expect(json.backend).toBe('wasm');
    expect(json.stageSeconds).toBeGreaterThan(0);
  });

  it('gives sparse rows their sparsity and dense rows none', () => {
    for (const row of result.rows) {
      // Layer-wise magnitude pruning keeps floor/round of each tensor's size: within a percent of the target.
      expect(Math.abs(row.sparsity - NOMINAL[row.variant])).toBeLessThan(0.01);
    }
    // QAT keeps every zero of the pattern it starts from (int8 rounding may add a few more).
    for (const variant of ['85', '90']) {
      for (const row of result.rows.filter((item) => item.variant === variant)) {
        const quantized = result.rows.find((item) => item.model === row.model && item.task === row.task && item.variant === `${variant}+qat`) as PruneOfaRow;
        expect(quantized.sparsity).toBeGreaterThanOrEqual(row.sparsity);
        expect(quantized.sparsity - row.sparsity).toBeLessThan(0.01);
      }
    }
  });

  it('computes retention as value / the dense value of the same model and task', () => {
    for (const row of result.rows) {
      const dense = result.rows.find((item) => item.model === row.model && item.task === row.task && item.variant === 'dense') as PruneOfaRow;
      expect(dense.value).toBeGreaterThan(0); // sotu-party accuracy
      expect(row.retention).toBeCloseTo(row.value / dense.value, 12);
    }
    expect(result.rows.filter((row) => row.variant === 'dense').every((row) => row.retention === 1)).toBe(true);
  });

  it('writes the Markdown table beside the paper and an SVG plot per task', async () => {
    const markdown = await readFile(join(out, 'prune-ofa-smoke.md'), 'utf8');
    expect(markdown).toContain('| BERT-Base | 2×16 | 85 |');
    expect(markdown).toContain('91.46'); // the paper's 85% BERT-Base SST-2 accuracy (MCRP README)
    expect(markdown).toMatch(/\| TF-IDF \+ linear \| — \| baseline \| — \| 0\.\d{4} \|/);
    const svg = await readFile(join(out, 'prune-ofa-smoke-sotu-party.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(6); // dense→85→90 and 85+qat→90+qat for three models
    expect(result.files).toHaveLength(3);
  });

  it('reuses every finished stage when run again: the same rows, no stage trained twice', async () => {
    const done = join(out, 'work', 'prune-ofa-smoke', 'bert-large', 'sotu-party', 'sparse-90-qat', 'done.json');
    const before = await readFile(done, 'utf8');
    const again = await reproducePruneOfa({ scale: 'smoke', out });
    expect(again.rows).toEqual(result.rows);
    expect(await readFile(done, 'utf8')).toBe(before);
  });

  it('reruns only the stages a changed setting reaches: transfer steps rerun transfer and QAT, checkpointEvery nothing', async () => {
    const work = join(out, 'work', 'prune-ofa-smoke');
    const stages = SCALES.smoke.models.flatMap(({ name }) =>
      ['pretrained', 'sparse-85', 'sparse-90', 'sotu-party/dense', 'sotu-party/sparse-85', 'sotu-party/sparse-85-qat', 'sotu-party/sparse-90', 'sotu-party/sparse-90-qat'].map((stage) => `${name}/${stage}`));
    const records = async (): Promise<string[]> => Promise.all(stages.map((stage) => readFile(join(work, stage, 'done.json'), 'utf8')));
    const before = await records();
    const smoke = SCALES.smoke;
    const saved = { transfer: smoke.steps.transfer, checkpointEvery: smoke.checkpointEvery };
    let again: ReproduceResult<PruneOfaRow>;
    try {
      smoke.steps.transfer = saved.transfer - 1;
      smoke.checkpointEvery = saved.checkpointEvery + 1;
      again = await reproducePruneOfa({ scale: 'smoke', out });
    } finally {
      smoke.steps.transfer = saved.transfer;
      smoke.checkpointEvery = saved.checkpointEvery;
    }
    const after = await records();
    const changed = stages.filter((_, index) => after[index] !== before[index]);
    // Transfer reads the sparse model and the dense teacher (kept); QAT reads the transferred model (rerun).
    expect(changed).toEqual(['bert-base', 'bert-large', 'distilbert'].flatMap((model) => ['85', '85-qat', '90', '90-qat'].map((variant) => `${model}/sotu-party/sparse-${variant}`)));
    const dense = (rows: readonly PruneOfaRow[]) => rows.filter((row) => row.variant === 'dense');
    expect(dense(again.rows)).toEqual(dense(result.rows));
  });
});

describe('prune-ofa options and the full scale', () => {
  it('rejects full-scale options at the embedded scales and a full scale without a teacher or data', async () => {
    await expect(reproducePruneOfa({ scale: 'tiny', out, teacher: 'bert' })).rejects.toThrow(/--teacher only apply to --scale full/);
    await expect(reproducePruneOfa({ scale: 'full', out, glue: 'glue_data' })).rejects.toThrow(/needs --teacher/);
    await expect(reproducePruneOfa({ scale: 'full', out, teacher: 'x' })).rejects.toThrow(/--glue DIR and\/or --squad FILE/);
    await expect(reproducePruneOfa({ scale: 'huge' as 'tiny', out })).rejects.toBeInstanceOf(ConfigError);
  });

  it('names the row of a Hugging Face checkpoint from its config, and refuses a folder without one', async () => {
    const dir = join(out, 'teacher');
    await expect(describeTeacher(dir)).rejects.toThrow(/no such directory/);
    await mkdir(dir, { recursive: true });
    await expect(describeTeacher(dir)).rejects.toThrow(/a folder without config.json and vocab.txt and model.safetensors/);
    await writeFile(join(dir, 'vocab.txt'), '[PAD]\n');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', num_hidden_layers: 24, hidden_size: 1024 }));
    await expect(describeTeacher(dir)).rejects.toThrow(/without model.safetensors.*Convert pytorch_model.bin/);
    await writeFile(join(dir, 'model.safetensors'), '');
    expect(await describeTeacher(dir)).toMatchObject({ name: 'bert-large', paper: 'BERT-Large', layers: 24, hidden: 1024 });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'distilbert', n_layers: 6, dim: 768 }));
    expect(await describeTeacher(dir)).toMatchObject({ name: 'distilbert', layers: 6, hidden: 768 });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', num_hidden_layers: 12, hidden_size: 768 }));
    expect(await describeTeacher(dir)).toMatchObject({ name: 'bert-base', paper: 'BERT-Base' });
  });

  it('finds the paper GLUE tasks in a glue_data folder', async () => {
    const glue = join(out, 'glue');
    await expect(findGlueTasks(glue)).rejects.toThrow(/No GLUE task/);
    await mkdir(join(glue, 'SST-2'), { recursive: true });
    await mkdir(join(glue, 'CoLA'), { recursive: true });
    await writeFile(join(glue, 'SST-2', 'train.tsv'), 'sentence\tlabel\ngood\t1\n');
    await writeFile(join(glue, 'CoLA', 'train.tsv'), 'x\n');
    expect(await findGlueTasks(glue)).toEqual([['sst2', join(glue, 'SST-2')]]);
  });
});

describe('withRetention and the run summary', () => {
  it('divides by the dense value of the same model and task, and gives null without one', () => {
    const rows = withRetention([
      { model: 'a', task: 't', variant: 'dense', value: 0.5 },
      { model: 'a', task: 't', variant: '90', value: 0.375 },
      { model: 'b', task: 't', variant: '90', value: 0.5 },
      { model: 'c', task: 't', variant: 'dense', value: 0 },
      { model: 'c', task: 't', variant: '90', value: 0 },
    ]);
    expect(rows.map((row) => row.retention)).toEqual([1, 0.75, null, null, null]);
  });

  it('names every backend the stages ran on, and sums the stage times of every session', () => {
    expect(backendsOf([{ backend: 'wasm' }, {}, { backend: 'wasm' }], 'cpu')).toBe('wasm');
    expect(backendsOf([{ backend: 'wasm' }, { backend: 'pofa-native' }], 'cpu')).toBe('wasm+pofa-native');
    expect(backendsOf([{}], 'cpu')).toBe('cpu');
    expect(stageSeconds([{ seconds: 12.5 }, {}, { seconds: 3 }])).toBe(15.5);
  });

  it('shows a missing cell as — and the paper value with its retention only where the paper has a dense value', () => {
    const markdown = formatPruneOfaMarkdown({
      scale: 'x',
      rows: [{ model: 'bert-base', variant: 'dense', task: 'spam', metric: 'f1', value: 0.8, sparsity: 0, retention: 1 }],
      models: [{ name: 'bert-base', paper: 'BERT-Base', layers: 2, hidden: 64 }],
      tasks: ['spam'],
      seconds: 10,
      stageSeconds: 9,
      backend: 'wasm',
    });
    // The dense row: ours 0.8000 (1.000); the paper has no dense value for any column (—).
    expect(markdown).toContain('| BERT-Base | 2×64 | dense | 0.000 | 0.8000 (1.000) | — | — | — | — | — | — |');
    // The 85 row has no cell of ours; the paper's 85% BERT-Base SQuAD F1 (88.42) has no retention (no dense value).
    expect(markdown).toContain('| BERT-Base | 2×64 | 85 | — | — | 88.42 | 82.71 | 83.67 | 88.00 | 90.34 | 91.46 |');
    expect(markdown).toContain('Run: 10 s wall time, 9 s in the stages');
  });

  it('adds the TF-IDF baseline as a row of its own, and says where it beats every dense model', () => {
    const table = (baseline: number) => formatPruneOfaMarkdown({
      scale: 'x',
      rows: [{ model: 'bert-base', variant: 'dense', task: 'spam', metric: 'f1', value: 0.8, sparsity: 0, retention: 1 }],
      models: [{ name: 'bert-base', paper: 'BERT-Base', layers: 2, hidden: 64 }],
      tasks: ['spam'],
      baselines: [{ task: 'spam', metric: 'f1', value: baseline }],
    });
    expect(table(0.9)).toContain('| TF-IDF + linear | — | baseline | — | 0.9000 | — | — | — | — | — | — |');
    expect(table(0.9)).toContain('It scores at least as well as every dense model on spam');
    expect(table(0.7)).toContain('Every dense model beats it.');
  });
});
