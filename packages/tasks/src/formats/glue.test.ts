import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import { loadGlueTask, resolveGlueTaskName } from './glue';
import { splitTsv } from './tsv-lines';

const glue = (folder: string) => fileURLToPath(new URL(`./__fixtures__/glue/${folder}`, import.meta.url));

describe('loadGlueTask on files in the official layouts', () => {
  it('reads CoLA train/dev without a header, keeping literal quotes', async () => {
    const { examples, labels } = await loadGlueTask('cola', glue('CoLA'), 'dev');
    expect(labels).toEqual(['unacceptable', 'acceptable']);
    expect(examples.map((example) => example.label)).toEqual([1, 0, 1]);
    expect(examples[1]).toEqual({
      id: 'dev-1',
      text: 'The weights made the rope stretch over the pulley.',
      label: 0,
      labelName: 'unacceptable',
    });
    expect(examples[2].text).toBe('He said "that" was the one.');
  });

  it('reads a test split (CoLA test has a header) with null labels', async () => {
    const { examples } = await loadGlueTask('CoLA', glue('CoLA'), 'test');
    expect(examples).toEqual([
      { id: '0', text: 'Bill whistled past the house.', label: null },
      { id: '1', text: 'The car honked its way down the road.', label: null },
    ]);
  });

  it('reads SST-2 train and test', async () => {
    const train = await loadGlueTask('SST-2', glue('SST-2'), 'train');
    expect(train.examples.map((example) => [example.id, example.text, example.labelName])).toEqual([
      ['train-0', 'hide new secretions from the parental units ', 'negative'],
      ['train-1', 'the greatest musicians ', 'positive'],
    ]);
    const test = await loadGlueTask('sst2', glue('SST-2'), 'test');
    expect(test.examples[1].label).toBeNull();
    expect(test.examples[1].id).toBe('1');
  });

  it('reads MRPC pairs whose text starts with a literal quote', async () => {
    const { examples } = await loadGlueTask('mrpc', glue('MRPC'), 'dev');
    expect(examples[0].textPair).toBe('" The foodservice pie business does not fit our long-term growth strategy .');
    expect(examples[1].textPair).toContain('" 100 percent behind George Bush "');
    expect(examples.map((example) => example.label)).toEqual([1, 0]);
    const test = await loadGlueTask('mrpc', glue('MRPC'), 'test');
    expect(test.examples[0]).toMatchObject({ id: '0', label: null });
    expect(test.examples[0].textPair).toMatch(/^Current Chief Operating Officer/);
  });

  it('reads STS-B scores as numbers and no class names', async () => {
    const { examples, labels } = await loadGlueTask('STS-B', glue('STS-B'), 'dev');
    expect(labels).toEqual([]);
    expect(examples.map((example) => example.label)).toEqual([5, 4.75, 0]);
    expect(examples[1]).toEqual({
      id: '1',
      text: 'A young child is riding a horse.',
      textPair: 'A child is riding a horse.',
      label: 4.75,
    });
    const test = await loadGlueTask('stsb', glue('STS-B'), 'test');
    expect(test.examples[0].label).toBeNull();
  });

  it('reads MNLI columns by header name, with the official label order', async () => {
    const { examples, labels } = await loadGlueTask('mnli', glue('MNLI'), 'dev_matched');
    expect(labels).toEqual(['entailment', 'neutral', 'contradiction']);
    expect(examples.map((example) => example.label)).toEqual([1, 2, 0]);
    expect(examples[0].text).toBe('The new rights are nice enough');
    expect(examples[0].textPair).toBe('Everyone really likes the newest benefits ');
    const test = await loadGlueTask('mnli', glue('MNLI'), 'test_mismatched');
    expect(test.examples[0]).toMatchObject({ id: '0', label: null, textPair: 'Hierbas is a name worth looking out for.' });
  });

  it('reads QNLI, RTE (CRLF and a byte order mark) and WNLI with their label orders', async () => {
    const qnli = await loadGlueTask('qnli', glue('QNLI'), 'dev');
    expect(qnli.examples.map((example) => example.labelName)).toEqual(['entailment', 'not_entailment']);
    expect(qnli.examples.map((example) => example.label)).toEqual([0, 1]);
    const rte = await loadGlueTask('rte', glue('RTE'), 'train');
    expect(rte.examples).toEqual([
      { id: '0', text: 'A cat sat.', textPair: 'An animal sat.', label: 0, labelName: 'entailment' },
    ]);
    const wnli = await loadGlueTask('wnli', glue('WNLI'), 'dev');
    expect(wnli.labels).toEqual(['not_entailment', 'entailment']);
    expect(wnli.examples.map((example) => [example.label, example.labelName])).toEqual([
      [0, 'not_entailment'],
      [1, 'entailment'],
    ]);
  });

  it('reads QQP and names the file and line of a malformed row', async () => {
    const dev = await loadGlueTask('qqp', glue('QQP'), 'dev');
    expect(dev.examples.map((example) => example.label)).toEqual([0, 0, 1]);
    const failure = loadGlueTask('qqp', glue('QQP'), 'train');
    await expect(failure).rejects.toThrowError(DataFormatError);
    await expect(failure).rejects.toThrowError(/QQP[/\\]train\.tsv:4: malformed GLUE QQP line: expected 6 tab-separated columns, received 4/);
  });

  it('skips malformed rows and bad labels on request, listing their line numbers', async () => {
    const train = await loadGlueTask('qqp', glue('QQP'), 'train', { onMalformed: 'skip' });
    expect(train.skippedLines).toEqual([4, 6]);
    expect(train.examples.map((example) => example.id)).toEqual(['133273', '402555', '201841']);
  });

  it('rejects an unknown task, an unknown split and a missing file', async () => {
    expect(() => resolveGlueTaskName('squad')).toThrowError(ConfigError);
    await expect(loadGlueTask('mnli', glue('MNLI'), 'dev')).rejects.toThrowError(/dev_matched, dev_mismatched/);
    await expect(loadGlueTask('rte', glue('RTE'), 'test')).rejects.toThrowError(/Cannot read .*test\.tsv/);
  });

  it('rejects a header that lacks a column the task needs', async () => {
    await expect(loadGlueTask('qnli', glue('RTE'), 'dev')).rejects.toThrowError(/no "question" column/);
  });
});

describe('splitTsv', () => {
  it('splits on tabs only and keeps quotes as characters', () => {
    expect(splitTsv('a\t"b\t""\n\n"c\td"\r\n')).toEqual([
      { lineNumber: 1, fields: ['a', '"b', '""'] },
      { lineNumber: 3, fields: ['"c', 'd"'] },
    ]);
  });
});
