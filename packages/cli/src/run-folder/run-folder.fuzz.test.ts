import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBytes, createTally, damagedBytes, editedJson, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { identityHash } from './identity';
import { checkRunFolder, openRunDirectory } from './run-directory';
import { IDENTITY_FILE, onceIn, openStageFolder, openWorkFolder } from './stage-folder';

// The run folder's files as another pofa, a crash or a hand edit may leave them: run.json
// (openRunDirectory, checkRunFolder), a stage's done.json (onceIn) and identity.json
// (openStageFolder), a work folder's settings.json (openWorkFolder). Each opens the folder or
// throws a PofaError; a stage is reused only for a record of its own identity, else it runs again.

let root: string;
let counter = 0;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  root = await mkdtemp(join(tmpdir(), 'pofa-run-folder-fuzz-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const SETTINGS = { task: 'spam', sparsity: 0.9, pattern: 'unstructured', int8: true, seed: 0, scale: 'test' };
const RUN = { format: 1, command: 'compress', settings: SETTINGS, completed: false };
const IDENTITY = { stage: 'sparse-pretrain', steps: 12, learningRate: 0.002, teacher: 'teacher-b34f4847657bfdb8' };
const HASH = identityHash(IDENTITY);
const RECORD = { sparsity: 0.9, backend: 'cpu', seconds: 0.43, identity: HASH };
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** Bytes for one of the folder's JSON files: the valid file damaged, its JSON edited, or arbitrary bytes. */
function fileBytes(valid: unknown): fc.Arbitrary<Uint8Array> {
  return fc.oneof(damagedBytes(encode(valid)), editedJson(valid).map((text) => new TextEncoder().encode(text)), arbitraryBytes);
}

async function folderWith(files: Record<string, Uint8Array>): Promise<string> {
  const dir = join(root, `case-${counter++}`);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return dir;
}

const shown = (bytes: Uint8Array): string => JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 300);

describe('run folder files under fuzzing (fast-check)', () => {
  // Found by this property and fixed: a run.json of `null` threw a TypeError in openRunDirectory,
  // and settings nested 20,000 deep a RangeError in canonicalJson.
  it('run.json: --resume opens the run or refuses it with a PofaError; a fresh run refuses or clears it', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(fileBytes(RUN), async (bytes) => {
        const dir = await folderWith({ 'run.json': bytes });
        await readOrRefuse(`run.json ${shown(bytes)} (check)`, () => checkRunFolder(dir, { label: '--out', force: false, resume: true }));
        tally.add(await readOrRefuse(`run.json ${shown(bytes)} (resume)`, () => openRunDirectory(dir, SETTINGS, { resume: true, command: 'compress' })));
        await readOrRefuse(`run.json ${shown(bytes)} (fresh)`, () => openRunDirectory(dir, SETTINGS, { resume: false, command: 'compress' }));
        await rm(dir, { recursive: true, force: true });
      }),
      fuzzParameters(300),
    );
    expect(tally.read).toBeGreaterThan(10);
    expect(tally.refused).toBeGreaterThan(50);
  }, 30_000);

  it('done.json: a stage is reused only for a record of its identity, and runs again otherwise', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(fileBytes(RECORD), async (bytes) => {
        const dir = await folderWith({ [IDENTITY_FILE]: encode({ hash: HASH, identity: IDENTITY }), 'done.json': bytes, 'checkpoints/checkpoint-3/trainer.json': encode({ step: 3 }) });
        let runs = 0;
        const outcome = await readOrRefuse(`done.json ${shown(bytes)}`, () => onceIn(dir, async () => ({ sparsity: (runs += 1) }), IDENTITY), async (record) => {
          expect(record.identity).toBe(HASH);
          expect(runs).toBe(record.reused ? 0 : 1);
          // Whatever was there, done.json now holds a record of this identity.
          expect(JSON.parse(await readFile(join(dir, 'done.json'), 'utf8')).identity).toBe(HASH);
        });
        tally.add(outcome);
        await rm(dir, { recursive: true, force: true });
      }),
      fuzzParameters(300),
    );
    expect(tally.refused).toBe(0);
  }, 30_000);

  it('identity.json: a stage folder keeps its checkpoints only for its own identity', async () => {
    await fc.assert(
      fc.asyncProperty(fileBytes({ hash: HASH, identity: IDENTITY }), async (bytes) => {
        const dir = await folderWith({ [IDENTITY_FILE]: bytes, 'checkpoints/checkpoint-3/trainer.json': encode({ step: 3 }) });
        const saved = (() => {
          try {
            return (JSON.parse(new TextDecoder().decode(bytes)) as { hash?: unknown } | null)?.hash;
          } catch {
            return undefined;
          }
        })();
        await readOrRefuse(`identity.json ${shown(bytes)}`, () => openStageFolder(dir, IDENTITY), async (hash) => {
          expect(hash).toBe(HASH);
          expect(existsSync(join(dir, 'checkpoints/checkpoint-3/trainer.json'))).toBe(saved === HASH);
          expect(JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')).hash).toBe(HASH);
        });
        await rm(dir, { recursive: true, force: true });
      }),
      fuzzParameters(200),
    );
  }, 30_000);

  it('settings.json: a work folder is kept only for its own format and identity', async () => {
    const identity = { seed: 0, corpus: 'sotu', vocabSize: 300 };
    await fc.assert(
      fc.asyncProperty(fileBytes({ format: 3, hash: identityHash(identity), identity }), async (bytes) => {
        const dir = await folderWith({ 'settings.json': bytes, 'sparse/done.json': encode(RECORD) });
        await readOrRefuse(`settings.json ${shown(bytes)}`, () => openWorkFolder(dir, identity), async () => {
          const settings = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as { format: number; hash: string };
          expect([settings.format, settings.hash]).toEqual([3, identityHash(identity)]);
        });
        await rm(dir, { recursive: true, force: true });
      }),
      fuzzParameters(200),
    );
  }, 30_000);
});
