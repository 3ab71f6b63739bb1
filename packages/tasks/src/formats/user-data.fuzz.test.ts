import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBytes, createTally, damagedBytes, editedJson, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { loadUserData, type UserData } from './user-data';

// loadUserData (the user's own TSV and JSONL task files) on damaged, hostile and arbitrary files:
// it returns examples that hold together (labels index the classes, or are finite numbers) or
// throws a PofaError naming the file.

let directory: string;
let counter = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pofa-user-data-fuzz-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const RECORDS = [
  { text: 'great "fun"', label: 'pos', id: 1 },
  { text: 'dull', label: 'neg' },
  { text: 'fine', text_pair: 'ok', label: 'pos', id: 'x7' },
  { text: '中国 café', label: 'neg' },
];
const JSONL = new TextEncoder().encode(`${RECORDS.map((record) => JSON.stringify(record)).join('\n')}\n`);
const TSV = new TextEncoder().encode('id\ttext\ttext_pair\tlabel\n1\tgreat "fun"\tyes\tpos\n2\tdull\tno\tneg\n3\tfine\tok\tpos\n4\tcafé 中国\tnon\t2.5\n');
const NUMERIC_TSV = new TextEncoder().encode('text\tlabel\ngood\t1\nbad\t0\nodd\t2\nhalf\t0.5\n');

/** What every loaded data set satisfies, whatever the file. */
function checkData(data: UserData): void {
  expect(data.examples.length).toBeGreaterThan(0);
  for (const example of data.examples) {
    expect(typeof example.text).toBe('string');
    expect(example.text.trim()).not.toBe('');
    expect(example.text).not.toContain('\ufffd');
    if (example.label === null) continue;
    expect(Number.isFinite(example.label)).toBe(true);
    if (data.labels.length > 0) {
      expect(Number.isInteger(example.label) && example.label >= 0 && example.label < data.labels.length).toBe(true);
      expect(example.labelName).toBe(data.labels[example.label]);
    }
  }
}

async function load(label: string, bytes: Uint8Array, extension: '.tsv' | '.jsonl'): Promise<'read' | 'refused'> {
  const path = join(directory, `case-${counter++}${extension}`);
  await writeFile(path, bytes);
  const outcome = await readOrRefuse(label, () => loadUserData(path), checkData);
  for (const labelKind of ['name', 'number'] as const) await readOrRefuse(`${label} (labelKind ${labelKind})`, () => loadUserData(path, { labelKind }), checkData);
  await rm(path);
  return outcome;
}

const shown = (bytes: Uint8Array): string => JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 300);

describe('user task files under fuzzing (fast-check)', () => {
  it('read the valid files', async () => {
    expect(await load('valid JSONL', JSONL, '.jsonl')).toBe('read');
    expect(await load('valid TSV', TSV, '.tsv')).toBe('read');
    expect(await load('numeric TSV', NUMERIC_TSV, '.tsv')).toBe('read');
  });

  it('read or refuse damaged TSV and JSONL files (bit flips, invalid UTF-8, cut lines, tabs, quotes)', async () => {
    const tally = createTally();
    const damaged = fc.oneof(
      damagedBytes(JSONL).map((bytes) => [bytes, '.jsonl'] as const),
      damagedBytes(TSV).map((bytes) => [bytes, '.tsv'] as const),
      damagedBytes(NUMERIC_TSV).map((bytes) => [bytes, '.tsv'] as const),
    );
    await fc.assert(fc.asyncProperty(damaged, async ([bytes, extension]) => tally.add(await load(`${extension} ${shown(bytes)}`, bytes, extension))), fuzzParameters(300));
    expect(tally.read).toBeGreaterThan(30);
    expect(tally.refused).toBeGreaterThan(30);
  }, 30_000);

  it('read or refuse JSONL lines with hostile values (1e999, -0, deep nesting, lone surrogates, __proto__)', async () => {
    const tally = createTally();
    const lines = fc.tuple(fc.nat({ max: RECORDS.length - 1 }), fc.nat({ max: RECORDS.length - 1 })).chain(([first, second]) => fc.tuple(editedJson(RECORDS[first]), editedJson(RECORDS[second])));
    await fc.assert(
      fc.asyncProperty(lines, async ([first, second]) => {
        const bytes = new TextEncoder().encode(`${first}\n${JSON.stringify(RECORDS[1])}\n${second}\n`);
        tally.add(await load(`JSONL ${first.slice(0, 150)} / ${second.slice(0, 150)}`, bytes, '.jsonl'));
      }),
      fuzzParameters(300),
    );
    expect(tally.read).toBeGreaterThan(5);
    expect(tally.refused).toBeGreaterThan(100);
  }, 30_000);

  it('refuse arbitrary bytes or read them as examples that hold together', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryBytes, fc.constantFrom('.tsv' as const, '.jsonl' as const), async (bytes, extension) => {
        await load(`${extension} ${shown(bytes)}`, bytes, extension);
      }),
      fuzzParameters(200),
    );
  }, 30_000);
});
