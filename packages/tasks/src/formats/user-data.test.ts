import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import { loadUserData } from './user-data';

let folder: string;
const file = (name: string, content: string): string => {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'pofa-user-data-'));
});

describe('loadUserData', () => {
  it('reads JSONL with class names in first-seen order', async () => {
    const path = file(
      'reviews.jsonl',
      '{"text": "great \\"fun\\"", "label": "pos"}\n\n{"text": "dull", "label": "neg"}\n{"text": "fine", "text_pair": "ok", "label": "pos", "id": 7}\n',
    );
    const data = await loadUserData(path);
    expect(data.format).toBe('jsonl');
    expect(data.labels).toEqual(['pos', 'neg']);
    expect(data.examples).toEqual([
      { id: '0', text: 'great "fun"', label: 0, labelName: 'pos' },
      { id: '1', text: 'dull', label: 1, labelName: 'neg' },
      { id: '7', text: 'fine', textPair: 'ok', label: 0, labelName: 'pos' },
    ]);
  });

  it('uses given class names for the indices, and rejects a name not among them', async () => {
    const path = file('given.jsonl', '{"text": "a", "label": "pos"}\n{"text": "b", "label": "neg"}\n');
    const data = await loadUserData(path, { labels: ['neg', 'pos'] });
    expect(data.examples.map((example) => example.label)).toEqual([1, 0]);
    await expect(loadUserData(path, { labels: ['neg', 'neutral'] })).rejects.toThrowError(
      /given\.jsonl:1: unknown label "pos": expected one of the given labels \[neg, neutral\]/,
    );
  });

  it('reads a TSV with a header, numeric labels and literal quotes', async () => {
    const path = file('scores.tsv', 'id\ttext\ttext_pair\tlabel\nx1\t"a"\tb\t0.5\nx2\tc\td\t3\n');
    const data = await loadUserData(path);
    expect(data.labels).toEqual([]);
    expect(data.examples).toEqual([
      { id: 'x1', text: '"a"', textPair: 'b', label: 0.5 },
      { id: 'x2', text: 'c', textPair: 'd', label: 3 },
    ]);
    const names = await loadUserData(path, { labelKind: 'name' });
    expect(names.labels).toEqual(['0.5', '3']);
    expect(names.examples[1].label).toBe(1);
  });

  it('reads a label with spaces around it as the same class ("spam " is "spam")', async () => {
    const tsv = await loadUserData(file('padded.tsv', 'text\tlabel\na\tspam \nb\tham\nc\t spam\n'));
    expect(tsv.labels).toEqual(['spam', 'ham']);
    expect(tsv.examples.map((example) => example.label)).toEqual([0, 1, 0]);
    const jsonl = await loadUserData(file('padded.jsonl', '{"text": "a", "label": "pos "}\n{"text": "b", "label": "pos"}\n'));
    expect(jsonl.labels).toEqual(['pos']);
  });

  it('reads unlabelled data with null labels', async () => {
    const data = await loadUserData(file('plain.txt', 'text\nhello\nworld\n'), { format: 'tsv' });
    expect(data.examples.map((example) => example.label)).toEqual([null, null]);
    expect(data.labels).toEqual([]);
  });

  it('names the line of bad JSON, a missing text and a missing label', async () => {
    await expect(loadUserData(file('bad.jsonl', '{"text": "a"}\n{"text": "b",\n'))).rejects.toThrowError(/bad\.jsonl:2: not valid JSON/);
    await expect(loadUserData(file('notext.jsonl', '{"text": "a"}\n{"words": "b"}\n'))).rejects.toThrowError(
      /notext\.jsonl:2: missing field "text"/,
    );
    await expect(loadUserData(file('type.jsonl', '{"text": 5}\n'))).rejects.toThrowError(/type\.jsonl:1: field "text" has the wrong type/);
    await expect(
      loadUserData(file('partial.jsonl', '{"text": "a", "label": "x"}\n{"text": "b"}\n')),
    ).rejects.toThrowError(/partial\.jsonl:2: missing label/);
  });

  it('names a missing column and a short row of a TSV', async () => {
    await expect(loadUserData(file('nocolumn.tsv', 'words\tlabel\na\tb\n'))).rejects.toThrowError(
      /nocolumn\.tsv:1: the header has no "text" column/,
    );
    await expect(loadUserData(file('short.tsv', 'text\tlabel\na\tb\nc\n'))).rejects.toThrowError(/short\.tsv:3: wrong number of columns/);
  });

  it('reads the GLUE column names: sentence, sentence1/sentence2, question/sentence', async () => {
    const single = await loadUserData(file('sst.tsv', 'sentence\tlabel\ngood film\t1\nbad film\t0\n'));
    expect(single.examples.map((example) => [example.text, example.label])).toEqual([['good film', 1], ['bad film', 0]]);
    const pair = await loadUserData(file('rte.tsv', 'index\tsentence1\tsentence2\tlabel\n0\ta\tb\tyes\n'));
    expect(pair.examples[0]).toMatchObject({ text: 'a', textPair: 'b', labelName: 'yes' });
    const qnli = await loadUserData(file('qnli.jsonl', '{"question": "q?", "sentence": "s.", "label": "entailment"}\n'));
    expect(qnli.examples[0]).toMatchObject({ text: 'q?', textPair: 's.' });
  });

  it('reads integer labels as classes in numeric order, other numbers as targets', async () => {
    const classes = await loadUserData(file('ints.tsv', 'text\tlabel\na\t2\nb\t0\nc\t10\nd\t01\n'));
    expect(classes.labels).toEqual(['0', '1', '2', '10']);
    expect(classes.examples.map((example) => example.label)).toEqual([2, 0, 3, 1]);
    const targets = await loadUserData(file('floats.tsv', 'text\tlabel\na\t2\nb\t0.5\n'));
    expect(targets.labels).toEqual([]);
    expect(targets.examples.map((example) => example.label)).toEqual([2, 0.5]);
    const forced = await loadUserData(file('years.tsv', 'text\tlabel\na\t1790\nb\t1791\n'), { labelKind: 'number' });
    expect(forced.examples.map((example) => example.label)).toEqual([1790, 1791]);
  });

  it('names the line of an empty text and of bytes that are not UTF-8', async () => {
    await expect(loadUserData(file('blank.tsv', 'text\tlabel\na\tx\n  \ty\n'))).rejects.toThrowError(/blank\.tsv:3: empty text/);
    await expect(loadUserData(file('blank.jsonl', '{"sentence1": "a", "sentence2": "", "label": 1}\n'))).rejects.toThrowError(/blank\.jsonl:1: empty sentence2/);
    const latin1 = join(folder, 'latin1.tsv');
    writeFileSync(latin1, Buffer.concat([Buffer.from('text\tlabel\nok\t1\ncaf'), Buffer.from([0xe9]), Buffer.from('\t0\n')]));
    await expect(loadUserData(latin1)).rejects.toThrowError(/latin1\.tsv:3: not valid UTF-8/);
  });

  it('rejects an empty file, an unknown extension and a forced non-numeric number label', async () => {
    await expect(loadUserData(file('empty.jsonl', '\n\n'))).rejects.toThrowError(DataFormatError);
    await expect(loadUserData(file('empty.tsv', ''))).rejects.toThrowError(/empty\.tsv is empty/);
    await expect(loadUserData(file('data.csv', 'text\n'))).rejects.toThrowError(ConfigError);
    await expect(
      loadUserData(file('words.jsonl', '{"text": "a", "label": "pos"}\n'), { labelKind: 'number' }),
    ).rejects.toThrowError(/words\.jsonl:1: the label is not a number/);
  });
});
