import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBytes, createTally, damagedBytes, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { SMALL_VOCAB } from './__fixtures__/small-vocab';
import { createWordPieceTokenizer } from './create-word-piece-tokenizer';
import { loadVocab } from './vocab-file';

// vocab.txt through loadVocab and createWordPieceTokenizer on damaged and arbitrary bytes: the
// file becomes a tokenizer that encodes text, or a PofaError; never a silently altered vocabulary.

let directory: string;
let counter = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pofa-vocab-fuzz-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const VALID = new TextEncoder().encode(`${SMALL_VOCAB.join('\n')}\n`);

async function readVocab(label: string, bytes: Uint8Array): Promise<'read' | 'refused'> {
  const path = join(directory, `case-${counter++}.txt`);
  await writeFile(path, bytes);
  const outcome = await readOrRefuse(label, async () => {
    const vocab = await loadVocab(path);
    // What was read is the file's text: no byte was replaced on the way.
    expect(new TextEncoder().encode(vocab.map((token) => `${token}\n`).join('')).length).toBeLessThanOrEqual(bytes.length + 1);
    expect(vocab.join('\n')).not.toContain('\ufffd');
    const tokenizer = await createWordPieceTokenizer({ vocab: path });
    const { inputIds } = await tokenizer.encode('Hello, the world! [MASK] 中国人', 'running unaffable');
    expect(inputIds.every((id) => Number.isInteger(id) && id >= 0 && id < vocab.length)).toBe(true);
  });
  await rm(path);
  return outcome;
}

describe('vocab.txt under fuzzing (fast-check)', () => {
  it('reads the valid vocabulary', async () => {
    expect(await readVocab('valid', VALID)).toBe('read');
  });

  it('reads or refuses damaged vocabularies (bit flips, invalid UTF-8, cut lines, inserted bytes)', async () => {
    const tally = createTally();
    await fc.assert(fc.asyncProperty(damagedBytes(VALID), async (bytes) => tally.add(await readVocab(`vocab ${JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 300)}`, bytes))), fuzzParameters(300));
    expect(tally.read).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(20);
  }, 30_000);

  it('refuses arbitrary bytes', async () => {
    const tally = createTally();
    await fc.assert(fc.asyncProperty(arbitraryBytes, async (bytes) => tally.add(await readVocab(`bytes ${Buffer.from(bytes).toString('hex').slice(0, 120)}`, bytes))), fuzzParameters(150));
    expect(tally.read).toBe(0);
  }, 30_000);

  it('refuses a vocabulary that is not UTF-8, naming the line', async () => {
    const latin1 = Uint8Array.from([...VALID, ...new TextEncoder().encode('caf'), 0xe9, 0x0a]);
    expect(await readVocab('Latin-1 line', latin1)).toBe('refused');
    await writeFile(join(directory, 'latin1.txt'), latin1);
    await expect(loadVocab(join(directory, 'latin1.txt'))).rejects.toThrow(`line ${SMALL_VOCAB.length + 1}`);
  });
});
