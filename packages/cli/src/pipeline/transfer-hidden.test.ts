import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTransfer } from './transfer';
import { transferDistillation } from './prune-ofa-recipe';

const WORDS = ['the', 'film', 'was', 'good', 'bad', 'great', 'dull', 'a', 'story', 'fine', 'poor', 'plot'];

describe('transferDistillation', () => {
  it('is logits only by default, and adds the embeddings and the uniform layer map with --distill-hidden', () => {
    expect(transferDistillation()).toEqual({ temperature: 2, hardWeight: 0, softWeight: 1, softLoss: 'distill/kd-kl-divergence' });
    const config = transferDistillation({ studentLayers: 6, teacherLayers: 12, studentHidden: 768, teacherHidden: 768 });
    expect(config.intermediate?.map((match) => [match.feature, match.studentLayer, match.teacherLayer, match.projection])).toEqual([
      ['embeddings', 0, 0, undefined],
      ...[1, 2, 3, 4, 5, 6].map((layer) => ['hidden', layer, 2 * layer, undefined]),
    ]);
    const narrow = transferDistillation({ studentLayers: 2, teacherLayers: 2, studentHidden: 32, teacherHidden: 48 });
    expect(narrow.intermediate?.every((match) => match.projection?.studentDim === 32 && match.projection.teacherDim === 48)).toBe(true);
  });
});

describe('pofa transfer --teacher --distill-hidden', () => {
  let dir: string;
  const firstLoss = async (run: string) => {
    const records = (await readFile(join(dir, run, 'sparse-transfer', 'log.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { step: number; loss?: number });
    return records.find((record) => record.step === 1 && record.loss !== undefined)?.loss as number;
  };
  const transfer = (out: string, teacher: string, distillHidden: boolean) =>
    runTransfer({ model: 'student', task: 'sst2', data: 'SST-2', teacher, distillHidden, steps: 1, batchSize: 4, maxLength: 16, int8: false, out }, { progress: false, env: {}, cwd: dir });

  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-transfer-hidden-'));
    const shape = { heads: 2, vocabSize: 256, maxPositions: 64, words: WORDS };
    await writeSyntheticCheckpoint(join(dir, 'student'), { ...shape, layers: 2, hidden: 32, sparsity: 0.9, seed: 1 });
    await writeSyntheticCheckpoint(join(dir, 'teacher'), { ...shape, layers: 4, hidden: 32, task: 'sequence-classification', numLabels: 2, seed: 2 });
    await writeSyntheticCheckpoint(join(dir, 'wide-teacher'), { ...shape, layers: 2, hidden: 48, task: 'sequence-classification', numLabels: 2, seed: 3 });
    await mkdir(join(dir, 'SST-2'));
    const rows = Array.from({ length: 24 }, (_, i) => `${['the film was good', 'a dull plot', 'great story', 'the film was bad', 'a fine story', 'poor plot'][i % 6]}\t${[1, 0, 1, 0, 1, 0][i % 6]}`);
    await writeFile(join(dir, 'SST-2', 'train.tsv'), ['sentence\tlabel', ...rows].join('\n') + '\n');
    await writeFile(join(dir, 'SST-2', 'dev.tsv'), ['sentence\tlabel', ...rows.slice(0, 6)].join('\n') + '\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds the hidden-state MSE to the logit distillation: the same first batch costs strictly more', async () => {
    await transfer('logits', 'teacher', false);
    await transfer('hidden', 'teacher', true);
    const [logits, hidden] = [await firstLoss('logits'), await firstLoss('hidden')];
    // Same seed, batch and dropout masks: the logit KL is the same, and the MSE of 3 matched states (a 4-layer teacher of other weights) is > 0.
    expect(Number.isFinite(logits) && Number.isFinite(hidden)).toBe(true);
    expect(hidden).toBeGreaterThan(logits + 1e-3);
  });

  it('projects the student states where the teacher is wider, and refuses --distill-hidden without a teacher', async () => {
    const result = await transfer('wide', 'wide-teacher', true);
    expect(result.rows.map((row) => row.stage)).toEqual(['baseline', 'dense', 'sparse']);
    await expect(runTransfer({ model: 'student', task: 'sst2', data: 'SST-2', distillHidden: true, out: 'none' }, { progress: false, env: {}, cwd: dir })).rejects.toThrow(/--distill-hidden needs a teacher/);
  });
});
