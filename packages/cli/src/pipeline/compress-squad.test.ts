import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { loadPretrained } from '@pofa/models';
import { pipeline } from '@pofa/runtime';
import { readBundle } from '@pofa/sparse-kernels';
import { squadExactMatch, squadF1 } from '@pofa/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index';
import { runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { runCompress } from './compress';
import { reportRowSchema, type ReportRow } from './report-table';

const CAPTAINS = ['Ahab', 'Starbuck', 'Stubb', 'Flask', 'Queequeg', 'Ishmael', 'Peleg', 'Bildad', 'Gardiner', 'Boomer'];
const PORTS = ['Nantucket', 'Boston', 'Washington', 'New York', 'Philadelphia', 'Baltimore', 'Virginia', 'Ohio', 'Texas', 'Georgia'];

interface Question {
  id: string;
  question: string;
  answers: Array<{ text: string; answer_start: number }>;
}

/** One paragraph with three questions; every answer's `answer_start` is where its text is. */
function paragraph(index: number): { context: string; qas: Question[] } {
  const captain = CAPTAINS[index % CAPTAINS.length];
  const port = PORTS[(3 * index) % PORTS.length];
  const year = String(1800 + 7 * index);
  const context = `In ${year} the captain ${captain} sailed the ship from ${port} to the sea.`;
  const answer = (text: string) => ({ text, answer_start: context.indexOf(text) });
  return {
    context,
    qas: [
      { id: `who-${index}`, question: 'Who sailed the ship?', answers: [answer(captain), answer(`the captain ${captain}`)] },
      { id: `where-${index}`, question: 'From where did the ship sail?', answers: [answer(port)] },
      { id: `when-${index}`, question: 'When did the ship sail?', answers: [answer(year)] },
    ],
  };
}

/** A SQuAD v1.1 folder: 16 training paragraphs (48 questions) and 4 dev paragraphs (12 questions). */
async function writeSquad(dir: string): Promise<Array<{ context: string; qas: Question[] }>> {
  await mkdir(dir, { recursive: true });
  const file = (paragraphs: Array<{ context: string; qas: Question[] }>) => JSON.stringify({ version: '1.1', data: paragraphs.map((item, i) => ({ title: `voyage ${i}`, paragraphs: [item] })) });
  const dev = Array.from({ length: 4 }, (_, i) => paragraph(100 + i));
  await writeFile(join(dir, 'train-v1.1.json'), file(Array.from({ length: 16 }, (_, i) => paragraph(i))));
  await writeFile(join(dir, 'dev-v1.1.json'), file(dev));
  return dev;
}

const STAGES = ['dense', 'sparse', 'sparse-int8'] as const;

describe('pofa compress --task squad at the test scale', () => {
  let dir: string;
  let dev: Array<{ context: string; qas: Question[] }>;
  let rows: ReportRow[];

  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-compress-squad-'));
    dev = await writeSquad(join(dir, 'SQuAD'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every stage with a span head and reports the official F1 of each stage', async () => {
    const io = createTestIo(dir);
    const code = await runCli(['compress', '--task', 'squad', '--data', 'SQuAD', '--scale', 'test', '--out', 'run-a', '--cache', 'cache', '--json', 'rows.json', '--seed', '3'], io, COMMANDS);
    expect(code, io.err()).toBe(0);
    rows = (JSON.parse(await readFile(join(dir, 'rows.json'), 'utf8')) as unknown[]).map((row) => reportRowSchema.parse(row));
    expect(rows.map((row) => row.stage)).toEqual([...STAGES]);
    for (const row of rows) {
      expect(row.task).toBe('squad');
      expect(row.metric).toBe('f1');
    }
    expect(rows[1].sparsity as number).toBeGreaterThanOrEqual(0.9 - 1e-3);
    expect(rows[2].sparsity as number).toBeGreaterThanOrEqual(rows[1].sparsity as number);
    expect(io.out()).toContain('| sparse-int8 |');
    expect(io.out()).toContain(`${join(dir, 'run-a', 'predictions')}/<stage>/predictions.json`);

    // The scores, recomputed from each stage's predictions.json with the official script's metrics.
    const questions = dev.flatMap((item) => item.qas.map((qa) => ({ ...qa, context: item.context })));
    for (const [index, stage] of STAGES.entries()) {
      const predictions = JSON.parse(await readFile(join(dir, 'run-a', 'predictions', stage, 'predictions.json'), 'utf8')) as Record<string, string>;
      expect(Object.keys(predictions).sort()).toEqual(questions.map((question) => question.id).sort());
      for (const question of questions) expect(question.context).toContain(predictions[question.id]);
      const gold = (question: Question) => question.answers.map((answer) => answer.text);
      const f1 = questions.reduce((sum, question) => sum + squadF1(predictions[question.id], gold(question)), 0) / questions.length;
      const exactMatch = questions.reduce((sum, question) => sum + squadExactMatch(predictions[question.id], gold(question)), 0) / questions.length;
      // predictions.json holds the bundle's answers: its F1 is the row's runtime value.
      expect(rows[index].runtimeValue).toBeCloseTo(f1, 12);
      const metrics = JSON.parse(await readFile(join(dir, 'run-a', 'predictions', stage, 'metrics.json'), 'utf8')) as Record<string, { exact_match: number; f1: number }>;
      expect(metrics.pofa).toEqual({ exact_match: expect.closeTo(exactMatch, 12), f1: expect.closeTo(f1, 12) });
      expect(metrics.tfjs.f1).toBeCloseTo(rows[index].value as number, 12);
    }
  });

  it('pofa eval scores the run\'s bundles with the windows they record, giving the run\'s own F1', async () => {
    // The test scale's windows (24 tokens, stride 12, questions of 6) are not eval's defaults for a checkpoint (384 / 128).
    const io = createTestIo(dir);
    expect(await runCli(['eval', 'run-a', '--task', 'squad', '--data', 'SQuAD', '--json'], io, COMMANDS), io.err()).toBe(0);
    const evalRows = JSON.parse(io.out()) as Array<{ model: string; value: number }>;
    expect(evalRows.map((row) => row.model.split('/').pop())).toEqual(STAGES.map((stage) => `${stage}.pofa`));
    for (const [index, row] of evalRows.entries()) expect(row.value).toBeCloseTo(rows[index].runtimeValue as number, 12);
  });

  it('fine-tunes and caches the teacher with a span head, and writes bundles that answer questions', async () => {
    const cached = await readdir(join(dir, 'cache'));
    const finetuned = cached.filter((name) => name.startsWith('finetuned-'));
    expect(finetuned).toHaveLength(1);
    const info = JSON.parse(await readFile(join(dir, 'cache', finetuned[0], 'complete.json'), 'utf8')) as { settings: { kind: string; windows: unknown } };
    expect(info.settings.kind).toBe('span');
    expect(info.settings.windows).toEqual({ maxLength: 24, docStride: 12, maxQueryLength: 6 });
    const { model } = await loadPretrained(join(dir, 'cache', finetuned[0]));
    expect(model.task).toBe('question-answering');
    model.dispose();

    const bundlePath = join(dir, 'run-a', 'bundles', 'sparse-int8.pofa');
    const bundle = await readBundle(bundlePath);
    expect(bundle.tensors.has('qa_outputs.weight')).toBe(true);
    expect(bundle.task).toMatchObject({ kind: 'span', docStride: 12, maxQueryLength: 6 });
    // The bundle alone answers as the run scored it.
    const predictions = JSON.parse(await readFile(join(dir, 'run-a', 'predictions', 'sparse-int8', 'predictions.json'), 'utf8')) as Record<string, string>;
    const answer = await pipeline('question-answering', bundlePath);
    const [qa] = dev[0].qas;
    const [best] = await answer({ question: qa.question, context: dev[0].context });
    expect(best.answer).toBe(predictions[qa.id]);
  });

  it('stops after --until finetune and resumes to the rows of the uninterrupted run', async () => {
    const options = { task: 'squad', data: 'SQuAD', scale: 'test' as const, out: 'run-b', cache: 'cache', seed: 3 };
    const stopped = await runCompress({ ...options, until: 'finetune' }, { progress: false, env: {}, cwd: dir });
    expect(stopped.stoppedAfter).toBe('finetune');
    const resumed = await runCompress({ ...options, resume: true }, { progress: false, env: {}, cwd: dir });
    const reused = Object.fromEntries(resumed.timings.map((timing) => [timing.stage, timing.reused]));
    expect(reused['teacher fine-tuning']).toBe(true);
    expect(reused['sparse pre-training (distillation + gradual magnitude pruning)']).toBe(true);
    expect(reused['sparse transfer (pattern lock + task distillation)']).toBe(true);
    const essentials = (list: ReportRow[]) => list.map(({ stage, value, runtimeValue, sparsity, encoderBytesOnDisk }) => ({ stage, value, runtimeValue, sparsity, encoderBytesOnDisk }));
    expect(essentials(resumed.rows)).toEqual(essentials(rows));
    for (const stage of STAGES) {
      expect(await readFile(join(dir, 'run-b', 'predictions', stage, 'predictions.json'), 'utf8')).toBe(await readFile(join(dir, 'run-a', 'predictions', stage, 'predictions.json'), 'utf8'));
    }
  });

  it('refuses a single SQuAD file, which has no training questions', async () => {
    const io = createTestIo(dir);
    expect(await runCli(['compress', '--task', 'squad', '--data', 'SQuAD/dev-v1.1.json', '--scale', 'test', '--out', 'run-c', '--cache', 'cache'], io, COMMANDS)).toBe(1);
    expect(io.err()).toMatch(/The task squad has no training examples: expected --data DIR holding train-v1\.1\.json and dev-v1\.1\.json/);
  });
});
