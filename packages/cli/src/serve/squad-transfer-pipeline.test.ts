import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { pipeline } from '@pofa/runtime';
import { readBundle } from '@pofa/sparse-kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo } from '../cli/test-io';
import { runCli } from '../cli/run-cli';
import { COMMANDS } from '../commands/index';

const WORDS = ['call', 'me', 'ishmael', 'ahab', 'hunted', 'the', 'white', 'whale', 'from', 'nantucket', 'who', 'what', 'where', 'did', 'sail', 'sailed'];
const STORY = 'Call me Ishmael. Ahab hunted the white whale. The Pequod sailed from Nantucket.';
const QUESTIONS = [
  { id: 'who', question: 'Who hunted the whale?', answers: [{ text: 'Ahab', answer_start: 17 }] },
  { id: 'what', question: 'What did Ahab hunt?', answers: [{ text: 'the white whale', answer_start: 29 }] },
  { id: 'where', question: 'Where did the Pequod sail from?', answers: [{ text: 'Nantucket', answer_start: 69 }] },
];

const directory = await mkdtemp(join(tmpdir(), 'pofa-squad-pipeline-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('the question-answering pipeline on a bundle written by pofa transfer --task squad', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await writeSyntheticCheckpoint(join(directory, 'bert'), { layers: 2, hidden: 64, heads: 4, sparsity: 0.9, words: WORDS, seed: 7 });
    await mkdir(join(directory, 'SQuAD'));
    const file = (count: number) => JSON.stringify({ version: '1.1', data: Array.from({ length: count }, (_, i) => ({ title: `part ${i}`, paragraphs: [{ context: `${STORY} Part ${i}.`, qas: QUESTIONS.map((qa) => ({ ...qa, id: `${qa.id}-${i}` })) }] })) });
    await writeFile(join(directory, 'SQuAD', 'train-v1.1.json'), file(4));
    await writeFile(join(directory, 'SQuAD', 'dev-v1.1.json'), file(2));
  }, 60_000);

  it('stores the span task and answers the dev questions as the run scored them', async () => {
    const io = createTestIo(directory);
    const argv = ['transfer', 'bert', '--task', 'squad', '--data', 'SQuAD', '--steps', '2', '--batch', '4', '--seq', '32', '--no-int8', '--out', 'run'];
    expect(await runCli(argv, io, COMMANDS), io.err()).toBe(0);
    const path = join(directory, 'run', 'bundles', 'sparse.pofa');
    const bundle = await readBundle(path);
    expect(bundle.task).toEqual({ kind: 'span', name: 'squad', docStride: expect.any(Number), maxQueryLength: expect.any(Number), maxAnswerLength: 30 });
    expect(bundle.tokenizer).toMatchObject({ kind: 'wordpiece', lowercase: true, maxLength: 32 });
    // The run's own answers on its dev questions (the bundle on the runtime), against the pipeline's.
    const predictions = JSON.parse(await readFile(join(directory, 'run', 'predictions', 'sparse', 'predictions.json'), 'utf8')) as Record<string, string>;
    const answer = await pipeline('question-answering', path);
    const questions = [0, 1].flatMap((part) => QUESTIONS.map(({ id, question }) => ({ id: `${id}-${part}`, question, context: `${STORY} Part ${part}.` })));
    const answers = await answer(questions.map(({ question, context }) => ({ question, context })));
    questions.forEach(({ id, context }, index) => {
      expect(answers[index].answer).toBe(predictions[id]);
      expect(context.slice(answers[index].start, answers[index].end)).toBe(answers[index].answer);
    });
  }, 300_000);
});
