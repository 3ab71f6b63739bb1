import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { createModel, presetConfig, saveVocab, savePretrained } from '@pofa/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFullScale } from './full-scale';
import { FULL_SCALE } from '../pipeline/scales';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-full-scale-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prepareFullScale', () => {
  it('reads a Hugging Face teacher, the GLUE folders and a corpus file into the rows and tasks of the run', async () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'good', 'bad', 'film', 'a'];
    const teacher = join(dir, 'bert');
    const model = createModel(presetConfig('bert-tiny', { vocab_size: vocab.length, num_hidden_layers: 2, hidden_size: 8, num_attention_heads: 2, intermediate_size: 16 }), { task: 'masked-lm', seed: 0 });
    await savePretrained(model, teacher);
    model.dispose();
    await saveVocab(join(teacher, 'vocab.txt'), vocab);
    await mkdir(join(dir, 'glue', 'SST-2'), { recursive: true });
    const sentences = ['a good film', 'a bad film', 'good', 'bad', 'a film', 'good good', 'bad bad', 'film', 'a good', 'a bad'];
    const tsv = `sentence\tlabel\n${sentences.map((sentence, index) => `${sentence}\t${index % 2}`).join('\n')}\n`;
    await writeFile(join(dir, 'glue', 'SST-2', 'train.tsv'), tsv);
    await writeFile(join(dir, 'glue', 'SST-2', 'dev.tsv'), tsv);
    await writeFile(join(dir, 'corpus.txt'), 'a good film\n\na bad film\n');
    const notes: string[] = [];
    const { scale, tasks, models } = await prepareFullScale(
      { teacher, glue: join(dir, 'glue'), squad: join(dir, 'corpus.txt'), corpus: join(dir, 'corpus.txt'), seed: 0 },
      (line) => notes.push(line),
    );
    expect(scale).toBe(FULL_SCALE);
    // 10 training lines: max(1, floor(10 / 20)) = 1 held out for validation, 9 to train; dev (10) is the test split.
    expect(tasks.map((task) => [task.name, task.train.length, task.validation.length, task.test.length])).toEqual([['sst2', 9, 1, 10]]);
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: 'bert-base', paper: 'BERT-Base', layers: 2, hidden: 8, pretrainedDir: teacher });
    expect(models[0].context.texts).toEqual(['a good film', 'a bad film']);
    // [CLS] a good film [SEP] in the teacher's own vocabulary.
    expect(models[0].context.encoder.encode('a good film', undefined, 16).inputIds).toEqual([2, 8, 5, 7, 3]);
    expect(notes.join('\n')).toMatch(/SQuAD column is skipped/);
  });

  it('refuses a missing --corpus or --squad file, and --squad alone', async () => {
    const teacher = join(dir, 'bert');
    await expect(prepareFullScale({ teacher, glue: join(dir, 'glue'), corpus: join(dir, 'nope.txt'), seed: 0 }, () => undefined)).rejects.toThrow(/Cannot read --corpus/);
    await expect(prepareFullScale({ teacher, glue: join(dir, 'glue'), squad: join(dir, 'nope.json'), seed: 0 }, () => undefined)).rejects.toThrow(/Cannot read --squad/);
    await expect(prepareFullScale({ teacher, squad: join(dir, 'corpus.txt'), seed: 0 }, () => undefined)).rejects.toThrow(/No task to run at --scale full/);
  });
});
