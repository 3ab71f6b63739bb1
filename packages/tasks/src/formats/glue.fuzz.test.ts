import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBytes, createTally, damagedBytes, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { loadGlueTask, type GlueSplit } from './glue';

// loadGlueTask on damaged GLUE TSV files of tasks with headers and without (CoLA), classes and
// regression (STS-B), pairs (MRPC, MNLI): each split reads as examples that hold together, or is
// refused with a PofaError naming the file and line; with onMalformed 'skip' bad lines are counted.

const FILES = [
  { task: 'mrpc', folder: 'MRPC', split: 'dev' },
  { task: 'stsb', folder: 'STS-B', split: 'dev' },
  { task: 'mnli', folder: 'MNLI', split: 'dev_matched' },
  { task: 'cola', folder: 'CoLA', split: 'dev' },
  { task: 'cola', folder: 'CoLA', split: 'test' },
] as const;

let directory: string;
const originals: Uint8Array[] = [];
let counter = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pofa-glue-fuzz-'));
  for (const { folder, split } of FILES) originals.push(new Uint8Array(await readFile(fileURLToPath(new URL(`./__fixtures__/glue/${folder}/${split}.tsv`, import.meta.url)))));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function checkSplit(split: GlueSplit): void {
  for (const example of split.examples) {
    expect(`${example.text}${example.textPair ?? ''}`).not.toContain('\ufffd');
    if (example.label === null) continue;
    if (split.labels.length === 0) expect(Number.isFinite(example.label)).toBe(true);
    else expect(example.labelName).toBe(split.labels[example.label]);
  }
}

async function load(label: string, file: (typeof FILES)[number], bytes: Uint8Array): Promise<'read' | 'refused'> {
  const dir = join(directory, `case-${counter++}`);
  await mkdir(dir);
  await writeFile(join(dir, `${file.split}.tsv`), bytes);
  let strict: GlueSplit | undefined;
  const outcome = await readOrRefuse(label, () => loadGlueTask(file.task, dir, file.split), (split) => {
    checkSplit(split);
    strict = split;
  });
  // Skipping malformed lines reads what the strict mode reads, and more only by skipping.
  const skipping = await readOrRefuse(`${label} (skip)`, () => loadGlueTask(file.task, dir, file.split, { onMalformed: 'skip' }), (split) => {
    checkSplit(split);
    if (strict !== undefined) expect(split).toEqual(strict);
  });
  if (outcome === 'read') expect(skipping).toBe('read');
  await rm(dir, { recursive: true, force: true });
  return outcome;
}

const file = fc.nat({ max: FILES.length - 1 });

describe('GLUE TSV files under fuzzing (fast-check)', () => {
  it('read the valid files', async () => {
    for (const [index, entry] of FILES.entries()) expect(await load(`valid ${entry.folder} ${entry.split}`, entry, originals[index])).toBe('read');
  });

  it('read or refuse damaged files (bit flips, tabs, newlines, invalid UTF-8, truncations)', async () => {
    const tally = createTally();
    const damaged = file.chain((index) => fc.tuple(fc.constant(index), damagedBytes(originals[index])));
    await fc.assert(
      fc.asyncProperty(damaged, async ([index, bytes]) => tally.add(await load(`${FILES[index].folder} ${FILES[index].split} ${JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 200)}`, FILES[index], bytes))),
      fuzzParameters(300),
    );
    expect(tally.read).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(20);
  }, 30_000);

  it('read or refuse arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(file, arbitraryBytes, async (index, bytes) => {
        await load(`${FILES[index].folder} bytes ${Buffer.from(bytes).toString('hex').slice(0, 120)}`, FILES[index], bytes);
      }),
      fuzzParameters(150),
    );
  }, 30_000);

  it('refuses a file that is not UTF-8, naming the line (it was read with U+FFFD in the text)', async () => {
    const dir = join(directory, 'latin1');
    await mkdir(dir);
    await writeFile(join(dir, 'dev.tsv'), Uint8Array.from([...originals[0], ...new TextEncoder().encode('1\t1\t2\tcaf'), 0xe9, ...new TextEncoder().encode('\tcafe\n')]));
    const lines = new TextDecoder().decode(originals[0]).split('\n').length;
    await expect(loadGlueTask('mrpc', dir, 'dev')).rejects.toThrow(`dev.tsv:${lines}: not valid UTF-8`);
  });
});
