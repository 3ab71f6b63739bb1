import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBytes, createTally, damagedBytes, editedJson, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { loadSquad, type SquadDataset } from './squad';

// loadSquad on damaged and hostile SQuAD v1.1 files: it returns questions whose answers lie in
// their contexts, or throws a PofaError naming the file.

let directory: string;
let valid: Uint8Array;
let validJson: unknown;
let counter = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pofa-squad-fuzz-'));
  valid = new Uint8Array(await readFile(fileURLToPath(new URL('./__fixtures__/squad-mini.json', import.meta.url))));
  validJson = JSON.parse(new TextDecoder().decode(valid));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function checkDataset(dataset: SquadDataset): void {
  const ids = new Set<string>();
  for (const example of dataset.examples) {
    expect(ids.has(example.id)).toBe(false);
    ids.add(example.id);
    expect(`${example.context}${example.question}`).not.toContain('\ufffd');
    for (const answer of example.answers) {
      expect(Number.isInteger(answer.answerStart) && answer.answerStart >= 0).toBe(true);
      expect(example.context.slice(answer.answerStart, answer.answerStart + answer.text.length)).toBe(answer.text);
    }
  }
}

async function load(label: string, bytes: Uint8Array): Promise<'read' | 'refused'> {
  const path = join(directory, `case-${counter++}.json`);
  await writeFile(path, bytes);
  const outcome = await readOrRefuse(label, () => loadSquad(path), checkDataset);
  await rm(path);
  return outcome;
}

describe('SQuAD files under fuzzing (fast-check)', () => {
  it('reads the valid file', async () => {
    expect(await load('valid', valid)).toBe('read');
  });

  it('reads or refuses damaged files (bit flips, invalid UTF-8, truncations)', async () => {
    const tally = createTally();
    await fc.assert(fc.asyncProperty(damagedBytes(valid), async (bytes) => tally.add(await load(`damaged (${bytes.length} bytes)`, bytes))), fuzzParameters(300));
    // Before the fix, a damaged multi-byte character (the en dash of "24–10") was read as U+FFFD into the context.
    expect(tally.read).toBeGreaterThan(5);
    expect(tally.refused).toBeGreaterThan(100);
  }, 30_000);

  it('reads or refuses files with hostile values (answer_start 1e999 or 2^53 + 1, deep nesting, lone surrogates)', async () => {
    const tally = createTally();
    await fc.assert(fc.asyncProperty(editedJson(validJson), async (text) => tally.add(await load(`SQuAD ${text.slice(0, 300)}`, new TextEncoder().encode(text)))), fuzzParameters(300));
    expect(tally.read).toBeGreaterThan(20);
    expect(tally.refused).toBeGreaterThan(100);
  }, 30_000);

  it('refuses arbitrary bytes', async () => {
    const tally = createTally();
    await fc.assert(fc.asyncProperty(arbitraryBytes, async (bytes) => tally.add(await load(`bytes ${Buffer.from(bytes).toString('hex').slice(0, 120)}`, bytes))), fuzzParameters(150));
    expect(tally.read).toBe(0);
  }, 30_000);
});
