import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIdentity } from '../reproduce/run-files';
import { identityHash } from './identity';
import { onceIn, openStageFolder, openWorkFolder } from './stage-folder';

let root: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  root = await mkdtemp(join(tmpdir(), 'pofa-stage-identity-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The settings of the stages of a miniature Prune OFA run (one model, one task). */
interface MiniatureSettings {
  pretrainSteps: number;
  sparseSteps: number;
  sparsity90: number;
  finetuneSteps: number;
  transferSteps: number;
  qatSteps: number;
}

const BASE: MiniatureSettings = { pretrainSteps: 50, sparseSteps: 30, sparsity90: 0.9, finetuneSteps: 100, transferSteps: 120, qatSteps: 20 };

/**
 * The stage graph of prune-ofa with work functions that only count their calls:
 * pretrained → sparse-85, sparse-90; pretrained → dense; (sparse-V, dense) → transfer-V → qat-V.
 */
async function miniatureRun(work: string, settings: MiniatureSettings, calls: Map<string, number>): Promise<void> {
  const stage = (name: string, identity: unknown) =>
    onceIn(join(work, name), async () => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return { name };
    }, identity);
  const dense = await stage('pretrained', { stage: 'pretrain', steps: settings.pretrainSteps });
  const teacher = await stage('dense', { stage: 'finetune', steps: settings.finetuneSteps, dense: dense.identity });
  for (const [variant, sparsity] of [['85', 0.85], ['90', settings.sparsity90]] as const) {
    const sparse = await stage(`sparse-${variant}`, { stage: 'sparse', sparsity, steps: settings.sparseSteps, dense: dense.identity });
    const transfer = await stage(`transfer-${variant}`, { stage: 'transfer', steps: settings.transferSteps, sparse: sparse.identity, teacher: teacher.identity });
    await stage(`qat-${variant}`, { stage: 'qat', steps: settings.qatSteps, sparse: transfer.identity, teacher: teacher.identity });
  }
}

const STAGES = ['pretrained', 'dense', 'sparse-85', 'transfer-85', 'qat-85', 'sparse-90', 'transfer-90', 'qat-90'];

/** The stages a run called, given the counts before and after it. */
function rerun(before: Map<string, number>, after: Map<string, number>): string[] {
  return STAGES.filter((name) => (after.get(name) ?? 0) !== (before.get(name) ?? 0));
}

describe('identityHash', () => {
  it('ignores key order and undefined fields, and tells apart any other change', () => {
    expect(identityHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(identityHash({ b: { d: 'x', c: [1, 2] }, a: 1, e: undefined }));
    expect(identityHash({ a: 1, b: { c: [1, 2] } })).not.toBe(identityHash({ a: 1, b: { c: [2, 1] } }));
    expect(identityHash({ steps: 6 })).not.toBe(identityHash({ steps: '6' }));
    expect(identityHash({ steps: 6 })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('onceIn with stage identities', () => {
  it('runs a stage once per identity: unchanged settings run nothing again', async () => {
    const work = join(root, 'unchanged');
    const calls = new Map<string, number>();
    await miniatureRun(work, BASE, calls);
    expect(STAGES.map((name) => calls.get(name))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const before = new Map(calls);
    await miniatureRun(work, { ...BASE }, calls);
    expect(rerun(before, calls)).toEqual([]);
    const record = JSON.parse(await readFile(join(work, 'qat-90', 'done.json'), 'utf8'));
    expect(record).toMatchObject({ name: 'qat-90', backend: 'cpu', identity: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('reruns a changed stage and every stage downstream of it, never its upstream or sibling stages', async () => {
    const work = join(root, 'changed');
    const calls = new Map<string, number>();
    await miniatureRun(work, BASE, calls);
    // Each case changes the settings of the previous one in one place; hand-derived from the graph above.
    const cases: Array<[Partial<MiniatureSettings>, string[]]> = [
      [{ qatSteps: 25 }, ['qat-85', 'qat-90']],
      [{ sparsity90: 0.92 }, ['sparse-90', 'transfer-90', 'qat-90']],
      [{ transferSteps: 100 }, ['transfer-85', 'qat-85', 'transfer-90', 'qat-90']],
      [{ finetuneSteps: 80 }, ['dense', 'transfer-85', 'qat-85', 'transfer-90', 'qat-90']],
      [{ sparseSteps: 40 }, ['sparse-85', 'transfer-85', 'qat-85', 'sparse-90', 'transfer-90', 'qat-90']],
      [{ pretrainSteps: 60 }, STAGES],
      [{}, []],
    ];
    let settings = BASE;
    for (const [change, expected] of cases) {
      settings = { ...settings, ...change };
      const before = new Map(calls);
      await miniatureRun(work, settings, calls);
      expect(rerun(before, calls), JSON.stringify(change)).toEqual(expected);
    }
    // Going back to the first settings reruns everything once more (a folder keeps one identity).
    const before = new Map(calls);
    await miniatureRun(work, BASE, calls);
    expect(rerun(before, calls)).toEqual(STAGES);
  });

  it('starts an interrupted stage of other settings fresh: its checkpoints are gone and the logger says so', async () => {
    const dir = join(root, 'interrupted');
    const said: string[] = [];
    const say = (line: string): void => void said.push(line);
    const stopped = new Error('interrupted');
    // An interrupted run of identity A leaves a checkpoint and no done.json.
    await expect(onceIn(dir, async (stageDir) => {
      await mkdir(join(stageDir, 'checkpoints', 'checkpoint-3'), { recursive: true });
      await writeFile(join(stageDir, 'checkpoints', 'checkpoint-3', 'state.json'), '{}');
      throw stopped;
    }, { steps: 6 }, say)).rejects.toBe(stopped);
    expect(await readdir(join(dir, 'checkpoints'))).toEqual(['checkpoint-3']);
    // The same identity resumes: the checkpoint is there when the work starts.
    const seen: boolean[] = [];
    await expect(onceIn(dir, async (stageDir) => {
      seen.push(existsSync(join(stageDir, 'checkpoints', 'checkpoint-3')));
      throw stopped;
    }, { steps: 6 }, say)).rejects.toBe(stopped);
    expect(said).toEqual([]);
    // Another identity starts fresh.
    const record = await onceIn(dir, async (stageDir) => {
      seen.push(existsSync(join(stageDir, 'checkpoints')));
      return { finalLoss: 1 };
    }, { steps: 8 }, say);
    expect(seen).toEqual([true, false]);
    expect(said).toEqual([`${dir} was made with other settings of this stage: emptied, the stage runs again`]);
    expect(record.identity).toBe(identityHash({ steps: 8 }));
    expect(JSON.parse(await readFile(join(dir, 'identity.json'), 'utf8'))).toEqual({ hash: identityHash({ steps: 8 }), identity: { steps: 8 } });
  });

  it('drops the record of other settings before rerunning, so an interrupted rerun never leaves it behind', async () => {
    const dir = join(root, 'rerun-stopped');
    let calls = 0;
    const work = async (): Promise<{ value: number }> => {
      calls += 1;
      return { value: calls };
    };
    expect((await onceIn(dir, work, { steps: 6 })).value).toBe(1);
    await expect(onceIn(dir, async () => {
      expect(existsSync(join(dir, 'done.json'))).toBe(false);
      throw new Error('interrupted');
    }, { steps: 8 })).rejects.toThrow('interrupted');
    // Back to the first settings: their record went with the folder, so the stage runs again.
    expect((await onceIn(dir, work, { steps: 6 })).value).toBe(2);
  });
});

describe('openStageFolder', () => {
  it('keeps a folder of the same identity, empties one of another or without one', async () => {
    const dir = join(root, 'supernet');
    const hash = await openStageFolder(dir, { stage: 'supernet', steps: 4 });
    await writeFile(join(dir, 'checkpoint'), 'x');
    expect(await openStageFolder(dir, { steps: 4, stage: 'supernet' })).toBe(hash);
    expect(existsSync(join(dir, 'checkpoint'))).toBe(true);
    await openStageFolder(dir, { stage: 'supernet', steps: 5 });
    expect(await readdir(dir)).toEqual(['identity.json']);
    const unknown = join(root, 'no-identity');
    await mkdir(join(unknown, 'checkpoints'), { recursive: true });
    await openStageFolder(unknown, { stage: 'supernet', steps: 4 });
    expect(await readdir(unknown)).toEqual(['identity.json']);
  });
});

describe('openWorkFolder', () => {
  const sizes = { corpusTexts: 200, vocabSize: 300, maxLength: 16, batchSize: 8, taskExamples: { train: 96, validation: 32, test: 64 } };

  it('keeps the stages while the run-wide identity holds, and empties the folder when it changes', async () => {
    const dir = join(root, 'work');
    const said: string[] = [];
    const say = (line: string): void => void said.push(line);
    await openWorkFolder(dir, runIdentity('prune-ofa', { seed: 0 }, sizes), say);
    await mkdir(join(dir, 'bert-base', 'pretrained'), { recursive: true });
    await writeFile(join(dir, 'bert-base', 'pretrained', 'done.json'), '{}');
    // The same run-wide settings (written in another key order): kept.
    await openWorkFolder(dir, runIdentity('prune-ofa', { seed: 0 }, { ...sizes, taskExamples: { test: 64, train: 96, validation: 32 } }), say);
    expect(existsSync(join(dir, 'bert-base', 'pretrained', 'done.json'))).toBe(true);
    expect(said).toEqual([]);
    // Another sequence length: every stage depends on it.
    await openWorkFolder(dir, runIdentity('prune-ofa', { seed: 0 }, { ...sizes, maxLength: 32 }), say);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect(said).toEqual([`${dir} holds stages of other run-wide settings (seed, corpus, vocabulary, sequence length, task examples or batch size): emptied`]);
    const saved = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'));
    expect(saved).toMatchObject({ format: 3, identity: { benchmark: 'prune-ofa', seed: 0, corpus: { embedded: 200 }, maxLength: 32 } });
  });

  it('empties a folder of the earlier format once, then keeps it', async () => {
    const dir = join(root, 'old-work');
    await mkdir(join(dir, 'bert-base', 'pretrained'), { recursive: true });
    await writeFile(join(dir, 'bert-base', 'pretrained', 'done.json'), JSON.stringify({ finalLoss: 1 }));
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ hash: '0123456789abcdef', settings: { scale: 'smoke', seed: 0 } }));
    const said: string[] = [];
    const identity = runIdentity('prune-ofa', { seed: 0 }, sizes);
    await openWorkFolder(dir, identity, (line) => said.push(line));
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect(said).toEqual([`${dir} was made by an earlier pofa, whose stage folders are laid out otherwise: emptied once`]);
    await mkdir(join(dir, 'bert-base'));
    await openWorkFolder(dir, identity, (line) => said.push(line));
    expect((await readdir(dir)).sort()).toEqual(['bert-base', 'settings.json']);
    expect(said).toHaveLength(1);
  });

  it('names a --corpus file by its absolute path and the embedded corpus by its size', () => {
    expect(runIdentity('prune-ofa', { seed: 1, corpus: 'wiki.txt' }, sizes)).toMatchObject({ seed: 1, corpus: { file: join(process.cwd(), 'wiki.txt') } });
    expect(identityHash(runIdentity('ofa', { seed: 0 }, sizes))).not.toBe(identityHash(runIdentity('prune-ofa', { seed: 0 }, sizes)));
  });
});
