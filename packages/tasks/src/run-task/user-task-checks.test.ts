import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunTask } from './load-run-task';
import { describeRunTask } from './user-task-checks';

const ALL = { train: Infinity, validation: Infinity, test: Infinity };
const rows = (labels: readonly (string | number)[]) => labels.map((label, index) => `example text ${index}\t${label}`).join('\n');

describe('user task files: label typing and checks before training', () => {
  it('trains integer labels as classes, other numbers (or --regression) as a regression, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-user-task-'));
    await writeFile(join(dir, 'ints.tsv'), `sentence\tlabel\n${rows(Array.from({ length: 40 }, (_, index) => index % 2))}\n`);
    const classes = await loadRunTask('ints.tsv', undefined, { seed: 0, limits: ALL, cwd: dir });
    expect(classes.regression).toBe(false);
    expect(classes.labels).toEqual(['0', '1']);
    expect(classes.specification.primaryMetric).toBe('accuracy');
    expect(describeRunTask(classes)).toBe(`${join(dir, 'ints.tsv')}: 2 classes (0, 1) — 32 train / 4 validation / 4 test`);
    const regression = await loadRunTask('ints.tsv', undefined, { seed: 0, limits: ALL, cwd: dir, labels: 'regression' });
    expect(regression.regression).toBe(true);
    expect(describeRunTask(regression)).toMatch(/ints\.tsv: regression on numeric labels \(mean 0\.\d+, std 0\.\d+\) — 32 train/);
    await writeFile(join(dir, 'floats.tsv'), `text\tlabel\n${rows(Array.from({ length: 20 }, (_, index) => index / 4))}\n`);
    expect((await loadRunTask('floats.tsv', undefined, { seed: 0, limits: ALL, cwd: dir })).regression).toBe(true);
  });

  it('refuses one class, a class too rare to split, and names the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-user-task-'));
    await writeFile(join(dir, 'one.tsv'), `text\tlabel\n${rows(Array(12).fill('spam'))}\n`);
    await expect(loadRunTask('one.tsv', undefined, { seed: 0, limits: ALL, cwd: dir })).rejects.toThrow(/one\.tsv: every example has the label "spam": expected at least two classes/);
    await writeFile(join(dir, 'rare.tsv'), `text\tlabel\n${rows([...Array(10).fill('a'), ...Array(10).fill('b'), 'c', 'c'])}\n`);
    await expect(loadRunTask('rare.tsv', undefined, { seed: 0, limits: ALL, cwd: dir })).rejects.toThrow(/rare\.tsv: too few examples of "c" \(2\)/);
  });
});
