import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateLocation } from '../commands/eval';
import { locateModel } from '../commands/model-source';
import { runTransfer } from './transfer';

const HEADER = ['index', 'promptID', 'pairID', 'genre', 'sentence1_binary_parse', 'sentence2_binary_parse', 'sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2'];
const LABELS = ['entailment', 'neutral', 'contradiction'];
const WORDS = ['the', 'ship', 'sailed', 'stayed', 'in', 'port', 'at', 'sea', 'a', 'man', 'slept', 'ran', 'home'];

/** MNLI rows in the official layout (the dev files carry five annotator labels before `gold_label`). */
function mnli(pairs: Array<[string, string, number]>, dev: boolean): string {
  const labelColumns = dev ? ['label1', 'label2', 'label3', 'label4', 'label5'] : ['label1'];
  const lines = pairs.map(([premise, hypothesis, label], index) => {
    const name = LABELS[label];
    return [index, index, `${index}e`, 'fiction', '( a )', '( b )', '(ROOT a)', '(ROOT b)', premise, hypothesis, ...labelColumns.map(() => name), name].join('\t');
  });
  return [[...HEADER, ...labelColumns, 'gold_label'].join('\t'), ...lines].join('\n') + '\n';
}

const PAIRS: Array<[string, string, number]> = [
  ['the ship sailed at sea', 'the ship sailed', 0],
  ['the ship stayed in port', 'the ship sailed at sea', 2],
  ['a man ran home', 'a man slept at home', 1],
  ['a man slept', 'a man slept at home', 1],
  ['the man sailed the ship', 'a man sailed', 0],
  ['the ship sailed home', 'the ship stayed in port', 2],
];

describe('pofa transfer --task mnli', () => {
  let dir: string;

  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-transfer-mnli-'));
    await writeSyntheticCheckpoint(join(dir, 'bert'), { layers: 1, hidden: 32, heads: 2, vocabSize: 256, maxPositions: 64, sparsity: 0.5, words: WORDS, seed: 1 });
    await mkdir(join(dir, 'MNLI'));
    await writeFile(join(dir, 'MNLI', 'train.tsv'), mnli([...PAIRS, ...PAIRS, ...PAIRS], false));
    await writeFile(join(dir, 'MNLI', 'dev_matched.tsv'), mnli(PAIRS, true));
    // The mismatched set holds the matched examples in another order, twice: its accuracy must be the matched one.
    await writeFile(join(dir, 'MNLI', 'dev_mismatched.tsv'), mnli([...PAIRS].reverse().concat(PAIRS), true));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the matched and the mismatched dev accuracy of each stage as rows of their own', async () => {
    const result = await runTransfer(
      { model: 'bert', task: 'mnli', data: 'MNLI', steps: 2, batchSize: 4, maxLength: 24, out: 'run' },
      { progress: false, env: {}, cwd: dir },
    );
    expect(result.rows.map((row) => `${row.task} ${row.stage}`)).toEqual(['glue/mnli baseline', 'glue/mnli sparse', 'glue/mnli sparse-int8', 'glue/mnli-mm sparse', 'glue/mnli-mm sparse-int8']);
    const [, matchedSparse, matchedInt8, mismatchedSparse, mismatchedInt8] = result.rows;
    for (const [matched, mismatched] of [[matchedSparse, mismatchedSparse], [matchedInt8, mismatchedInt8]]) {
      expect(mismatched.metric).toBe('accuracy');
      expect(matched.metric).toBe('accuracy');
      // Six matched examples: the accuracy is a multiple of 1/6, and the same examples score the same when mismatched.
      expect(Math.abs((matched.value as number) * 6 - Math.round((matched.value as number) * 6))).toBeLessThan(1e-9);
      expect(mismatched.value).toBeCloseTo(matched.value as number, 12);
      expect(mismatched.runtimeValue).toBeCloseTo(matched.runtimeValue as number, 12);
      // The same bundle: sizes and latency are the stage's.
      expect([mismatched.sparsity, mismatched.encoderBytesOnDisk, mismatched.latencyMs]).toEqual([matched.sparsity, matched.encoderBytesOnDisk, matched.latencyMs]);
    }

    // pofa eval of the run scores both dev sets too, bundle by bundle, as the run's table did.
    const evalRows = await evaluateLocation(await locateModel('run', dir), { task: 'mnli', data: 'MNLI', split: 'test' }, dir);
    expect(evalRows.map((row) => `${row.task} ${row.model.split('/').pop()}`)).toEqual([
      'glue/mnli sparse.pofa', 'glue/mnli sparse-int8.pofa', 'glue/mnli-mm sparse.pofa', 'glue/mnli-mm sparse-int8.pofa',
    ]);
    expect(evalRows.map((row) => row.value)).toEqual(result.rows.slice(1).map((row) => expect.closeTo(row.runtimeValue as number, 12)));
  });
});
