import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@pofa/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBytes, createTally, damagedBytes, editedJson, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { writeSyntheticCheckpoint } from '../testing/synthetic-checkpoint';
import { readCheckpointVocab } from './checkpoint-vocab';
import { loadPretrained } from './load-pretrained';

// loadPretrained and readCheckpointVocab on checkpoint folders whose config.json is damaged or
// hostile: each loads the model or throws a PofaError, and no config makes it build a model
// larger than the weights beside it.

let scratch: string;
let valid: string;
let validConfig: Record<string, unknown>;
let validBytes: Uint8Array;
let counter = 0;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  scratch = await mkdtemp(join(tmpdir(), 'pofa-load-pretrained-fuzz-'));
  valid = join(scratch, 'valid');
  await writeSyntheticCheckpoint(valid, { layers: 1, hidden: 16, heads: 2, intermediate: 32, vocabSize: 240, maxPositions: 16, task: 'sequence-classification', seed: 3 });
  validBytes = new Uint8Array(await readFile(join(valid, 'config.json')));
  validConfig = JSON.parse(new TextDecoder().decode(validBytes)) as Record<string, unknown>;
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Parameters the synthetic checkpoint holds: no valid config may give a model far beyond them (a new head at most). */
const PARAMETER_LIMIT = 200_000;

/** A copy of the valid checkpoint with `config` bytes as its config.json, loaded; read or refused. */
async function loadWith(label: string, config: Uint8Array): Promise<'read' | 'refused'> {
  const dir = join(scratch, `case-${counter++}`);
  await cp(valid, dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), config);
  const baseline = tf.memory().numTensors;
  const outcome = await readOrRefuse(label, () => loadPretrained(dir), ({ model }) => {
    const parameters = model.namedParameters().reduce((sum, [, parameter]) => sum + parameter.size, 0);
    model.dispose();
    expect(parameters).toBeLessThanOrEqual(PARAMETER_LIMIT);
  });
  expect(tf.memory().numTensors).toBe(baseline);
  await readOrRefuse(`${label} (vocab)`, () => readCheckpointVocab(dir, { required: true }));
  await rm(dir, { recursive: true, force: true });
  return outcome;
}

describe('loadPretrained under fuzzing of config.json (fast-check)', () => {
  it('loads the valid checkpoint', async () => {
    expect(await loadWith('valid', validBytes)).toBe('read');
  });

  it('loads or refuses config.json with hostile values (1e999, 2^40 sizes, -0, deep nesting, __proto__)', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(editedJson(validConfig), async (text) => tally.add(await loadWith(`config ${text.slice(0, 300)}`, new TextEncoder().encode(text)))),
      fuzzParameters(250),
    );
    expect(tally.read).toBeGreaterThan(20);
    expect(tally.refused).toBeGreaterThan(20);
  }, 60_000);

  it('loads or refuses damaged config.json bytes and arbitrary bytes', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(fc.oneof(damagedBytes(validBytes), arbitraryBytes), async (bytes) => tally.add(await loadWith(`config bytes ${JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 300)}`, bytes))),
      fuzzParameters(150),
    );
    expect(tally.refused).toBeGreaterThan(50);
  }, 60_000);

  it('refuses configs whose sizes do not fit the weights before building the model', async () => {
    // Before the fix, each of these built the model first: RangeError (Invalid typed array length), or minutes of allocation.
    const sizes = [['hidden_size', 2 ** 20], ['intermediate_size', 2 ** 30], ['vocab_size', 2 ** 40], ['num_hidden_layers', 10_000], ['max_position_embeddings', 2 ** 31], ['type_vocab_size', 2 ** 64]] as const;
    for (const [field, value] of sizes) {
      expect(await loadWith(`${field} ${value}`, new TextEncoder().encode(JSON.stringify({ ...validConfig, [field]: value })))).toBe('refused');
    }
    const { id2label: _labels, ...withoutLabels } = validConfig;
    expect(await loadWith('num_labels 2^40', new TextEncoder().encode(JSON.stringify({ ...withoutLabels, num_labels: 2 ** 40 })))).toBe('refused');
  }, 30_000);
});
