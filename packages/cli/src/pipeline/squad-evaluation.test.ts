import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, initBackend, tf } from '@pofa/core';
import { createModel, presetConfig } from '@pofa/models';
import { exportBundle, loadBundle, type EncoderRuntime } from '@pofa/sparse-kernels';
import { createSquadFeatures, type TokenizerLike } from '@pofa/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruledSpanModel, SQUAD_EXAMPLES, SQUAD_VOCAB, squadTestTokenizer, tinySpanModel } from './__fixtures__/squad-fixtures';
import { evaluateSquadModel, evaluateSquadRuntime, writeSquadPredictions } from './squad-evaluation';
import { prepareSquadTokenizer } from './squad-tokenizer';

const id = (word: string): number => SQUAD_VOCAB.indexOf(word);
// 16 tokens a window: a 3-token question leaves 10 context tokens, windows start 6 apart.
const windows = { maxLength: 16, docStride: 4 };
const [won, lost, where, long] = SQUAD_EXAMPLES;

let tokenizer: TokenizerLike;
let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  tokenizer = await prepareSquadTokenizer(await squadTestTokenizer(), SQUAD_EXAMPLES);
  dir = await mkdtemp(join(tmpdir(), 'pofa-squad-eval-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evaluateSquadModel', () => {
  it('scores the answers of logits set by hand with the official exact match and F1', async () => {
    const model = ruledSpanModel(
      {
        [id('won')]: { start: id('denver'), end: id('broncos') },
        [id('lost')]: { start: id('carolina'), end: id('carolina') },
        [id('was')]: { start: id('beat'), end: id('beat') },
      },
      id('carolina'),
    );
    const result = await evaluateSquadModel(model, SQUAD_EXAMPLES, tokenizer, { ...windows, batchSize: 2 });
    expect(result.predictions).toEqual({ won: 'Denver Broncos', lost: 'Carolina', where: 'beat', long: 'Denver Broncos' });
    // won: "Denver Broncos" = "The Denver Broncos" once the article goes: EM 1, F1 1.
    // lost: "Carolina" against "Carolina Panthers": EM 0, P = 1, R = 1/2, F1 = 2/3.
    // where: "beat" against "Miami": 0 and 0. long: EM 1, F1 1.
    expect(result.exactMatch).toBeCloseTo(2 / 4, 12);
    expect(result.f1).toBeCloseTo((1 + 2 / 3 + 0 + 1) / 4, 12);
    expect(result.metrics).toEqual({ exact_match: result.exactMatch, f1: result.f1 });
    expect([result.primaryMetric, result.primary, result.numExamples]).toEqual(['f1', result.f1, 4]);
    // Windows: won, lost 1 each (10 context tokens); where (5-token question) 2; long (19 context tokens) 3.
    expect(result.numWindows).toBe(7);
  });

  it('finds an answer that only the second window of a long context holds', async () => {
    const features = createSquadFeatures([long], tokenizer, { maxSeqLength: windows.maxLength, docStride: windows.docStride });
    const words = features.map((feature) => feature.offsets.filter((offset) => offset !== null).map((offset) => long.context.slice(offset![0], offset![1]).toLowerCase()));
    // Context tokens 0-9 are x; denver and broncos are tokens 10 and 11: windows [0, 10), [6, 16), [12, 19).
    expect(words.map((list) => list.join(' '))).toEqual(['x x x x x x x x x x', 'x x x x denver broncos x x x x', 'x x x x x x .']);
    expect(features.map((feature) => [feature.startPosition, feature.endPosition])).toEqual([[0, 0], [9, 10], [0, 0]]);
    const model = ruledSpanModel({ [id('won')]: { start: id('denver'), end: id('broncos') } }, id('carolina'));
    const result = await evaluateSquadModel(model, [long], tokenizer, { ...windows, batchSize: 1 });
    expect(result.predictions).toEqual({ long: 'Denver Broncos' });
    expect([result.exactMatch, result.f1, result.numWindows]).toEqual([1, 1, 3]);
  });

  it('keeps no tensor from one batch to the next (a tiny BERT)', async () => {
    const model = tinySpanModel(0);
    await evaluateSquadModel(model, SQUAD_EXAMPLES, tokenizer, { ...windows, batchSize: 1 });
    const before = tf.memory().numTensors;
    const oneByOne = await evaluateSquadModel(model, SQUAD_EXAMPLES, tokenizer, { ...windows, batchSize: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const together = await evaluateSquadModel(model, SQUAD_EXAMPLES, tokenizer, { ...windows, batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(together.predictions).toEqual(oneByOne.predictions);
    model.dispose();
  });

  it('refuses a model without a span head', async () => {
    const config = presetConfig('bert-tiny', { vocab_size: SQUAD_VOCAB.length, num_hidden_layers: 1, hidden_size: 8, num_attention_heads: 2, intermediate_size: 16 });
    const model = createModel(config, { task: 'sequence-classification', numLabels: 2 });
    const error = await evaluateSquadModel(model, [won], tokenizer, windows).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toMatch(/^The model has no span question-answering head: expected start and end logits/);
    model.dispose();
  });
});

describe('evaluateSquadRuntime', () => {
  it('answers as the tfjs model does, from the .pofa bundle of the same weights', async () => {
    const model = tinySpanModel(1);
    const path = join(dir, 'squad.pofa');
    await exportBundle(model, path, { format: 'dense' });
    const runtime = await loadBundle(path);
    const fromModel = await evaluateSquadModel(model, SQUAD_EXAMPLES, tokenizer, { ...windows, batchSize: 3 });
    const fromRuntime = await evaluateSquadRuntime(runtime, SQUAD_EXAMPLES, tokenizer, { ...windows, batchSize: 3 });
    expect(fromRuntime.predictions).toEqual(fromModel.predictions);
    expect([fromRuntime.exactMatch, fromRuntime.f1]).toEqual([fromModel.exactMatch, fromModel.f1]);
    model.dispose();
  });

  it('refuses a bundle whose head is not a span head', async () => {
    const classifier = { config: { task: 'sequence-classification' } } as unknown as EncoderRuntime;
    await expect(evaluateSquadRuntime(classifier, [lost, where], tokenizer, windows)).rejects.toThrowError(/cannot answer SQuAD questions/);
  });
});

describe('writeSquadPredictions', () => {
  it('writes question id → answer text, the official predictions.json, leaving no temporary file', async () => {
    const path = join(dir, 'out', 'predictions.json');
    await writeSquadPredictions(path, { won: 'Denver Broncos', lost: 'Carolina' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ won: 'Denver Broncos', lost: 'Carolina' });
    expect(await readdir(join(dir, 'out'))).toEqual(['predictions.json']);
  });
});
