import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/index';
import { SQUAD_TASK } from '../squad-task';
import { loadAnyRunTask, loadSquadRunTask } from './squad-run-task';

const limits = { train: 1000, validation: 1000, test: 1000 };
let dir: string;

/** A SQuAD v1.1 file with `paragraphs` paragraphs of two questions each (ids `<prefix><paragraph>-<question>`). */
function squadJson(prefix: string, paragraphs: number): string {
  const paragraph = (index: number) => {
    const context = `Paragraph ${index} says that team ${index} won.`;
    const answerStart = context.indexOf(`team ${index}`);
    return {
      context,
      qas: [0, 1].map((question) => ({ id: `${prefix}${index}-${question}`, question: `Who won ${question}?`, answers: [{ text: `team ${index}`, answer_start: answerStart }] })),
    };
  };
  return JSON.stringify({ version: '1.1', data: [{ title: 'Teams', paragraphs: Array.from({ length: paragraphs }, (_, index) => paragraph(index)) }] });
}

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text);
  return path;
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { expected?: string; received?: string; hint?: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof Error)) throw new Error('expected an error');
  return error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pofa-squad-task-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSquadRunTask', () => {
  it('carves whole training paragraphs (5%, seeded) for validation and tests on the dev set', async () => {
    const data = await folder('squad', { 'train-v1.1.json': squadJson('t', 40), 'dev-v1.1.json': squadJson('d', 3) });
    const task = await loadSquadRunTask(data, { seed: 0, limits, cwd: '/' });
    expect([task.kind, task.name, task.specification]).toEqual(['span', 'squad', SQUAD_TASK]);
    // 40 paragraphs: floor(40 / 20) = 2 held out, with both of their questions.
    expect([task.train.length, task.validation.length, task.test.length]).toEqual([76, 4, 6]);
    const contexts = (examples: typeof task.train) => new Set(examples.map((example) => example.context));
    expect(contexts(task.validation).size).toBe(2);
    for (const context of contexts(task.validation)) expect(contexts(task.train).has(context)).toBe(false);
    expect(task.test.map((example) => example.id)).toEqual(['d0-0', 'd0-1', 'd1-0', 'd1-1', 'd2-0', 'd2-1']);
    const again = await loadSquadRunTask('squad', { seed: 0, limits, cwd: dir });
    expect(again.validation).toEqual(task.validation);
    const otherSeed = await loadSquadRunTask(data, { seed: 5, limits, cwd: '/' });
    expect(otherSeed.validation.map((example) => example.id)).not.toEqual(task.validation.map((example) => example.id));
    const cut = await loadSquadRunTask(data, { seed: 0, limits: { train: 10, validation: 1, test: 2 }, cwd: '/' });
    expect([cut.train.length, cut.validation.length, cut.test.length]).toEqual([10, 1, 2]);
  });

  it('takes one SQuAD file as the test split alone (evaluation)', async () => {
    const data = await folder('dev-only', { 'dev-v1.1.json': squadJson('d', 2) });
    const task = await loadSquadRunTask(join(data, 'dev-v1.1.json'), { seed: 0, limits, cwd: '/' });
    expect([task.train.length, task.validation.length, task.test.length]).toEqual([0, 0, 4]);
  });

  it('names the folder, the missing file and the fix', async () => {
    const data = await folder('no-train', { 'dev-v1.1.json': squadJson('d', 2) });
    const error = await errorOf(loadSquadRunTask(data, { seed: 0, limits, cwd: '/' }));
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^The SQuAD folder ${data} has no train-v1\\.1\\.json`));
    expect(error.hint).toMatch(/Put the official SQuAD v1\.1 files \(train-v1\.1\.json\)/);
    expect((await errorOf(loadSquadRunTask(undefined, { seed: 0, limits, cwd: '/' }))).message).toMatch(/^The task squad needs its data folder/);
    expect((await errorOf(loadSquadRunTask(join(dir, 'absent'), { seed: 0, limits, cwd: '/' }))).message).toMatch(/absent does not exist/);
  });

  it('reports an empty file, a file without questions, and an answer_start off its text', async () => {
    const empty = await folder('empty', { 'train-v1.1.json': '', 'dev-v1.1.json': squadJson('d', 2) });
    const emptyError = await errorOf(loadSquadRunTask(empty, { seed: 0, limits, cwd: '/' }));
    expect(DataFormatError.isInstance(emptyError)).toBe(true);
    expect(emptyError.message).toMatch(/train-v1\.1\.json is empty/);
    const noQuestions = await folder('no-questions', { 'train-v1.1.json': squadJson('t', 4), 'dev-v1.1.json': JSON.stringify({ version: '1.1', data: [] }) });
    expect((await errorOf(loadSquadRunTask(noQuestions, { seed: 0, limits, cwd: '/' }))).message).toMatch(/dev-v1\.1\.json has no questions/);
    const shifted = JSON.parse(squadJson('d', 1));
    shifted.data[0].paragraphs[0].qas[1].answers[0].answer_start += 1;
    const offText = await folder('shifted', { 'train-v1.1.json': squadJson('t', 4), 'dev-v1.1.json': JSON.stringify(shifted) });
    const offError = await errorOf(loadSquadRunTask(offText, { seed: 0, limits, cwd: '/' }));
    expect(offError.message).toMatch(/dev-v1\.1\.json: the answer_start of question "d0-1" does not point at its text/);
    // "Paragraph 0 says that team 0 won.": "team 0" starts at character 22, the file says 23.
    expect(offError.hint).toMatch(/occurs at character 22: fix answer_start/);
  });
});

describe('loadAnyRunTask', () => {
  it('gives squad as a span task and the other tasks as classification tasks', async () => {
    const data = await folder('any', { 'train-v1.1.json': squadJson('t', 4), 'dev-v1.1.json': squadJson('d', 1) });
    expect((await loadAnyRunTask('squad', data, { seed: 0, limits, cwd: '/' })).kind).toBe('span');
    const sst2 = await folder('SST-2', { 'train.tsv': 'sentence\tlabel\ngood\t1\nbad\t0\n', 'dev.tsv': 'sentence\tlabel\nfine\t1\n' });
    const task = await loadAnyRunTask('sst2', sst2, { seed: 0, limits, cwd: '/' });
    expect([task.kind, task.name]).toEqual(['classification', 'glue/sst2']);
  });
});
