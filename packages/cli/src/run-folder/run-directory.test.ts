import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRunDirectory } from './run-directory';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pofa-run-dir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openRunDirectory', () => {
  it('runs a stage once per identity, keeping the checkpoints of an interrupted stage and dropping those of a finished one', async () => {
    const run = await openRunDirectory(join(dir, 'out'), { task: 'sst2' }, { resume: false, command: 'transfer' });
    let runs = 0;
    const work = async (stageDir: string) => {
      runs++;
      await mkdir(join(stageDir, 'checkpoints', 'checkpoint-2'), { recursive: true });
      await mkdir(join(stageDir, 'model'), { recursive: true });
      await writeFile(join(stageDir, 'model', 'config.json'), '{}');
      return { steps: 2 };
    };
    const first = await run.stage('sparse-transfer', { steps: 2 }, work);
    expect(first).toMatchObject({ steps: 2, reused: false });
    expect((await readdir(run.stageDir('sparse-transfer'))).sort()).toEqual(['done.json', 'identity.json', 'model']);
    expect(await run.stage('sparse-transfer', { steps: 2 }, work)).toMatchObject({ steps: 2, reused: true, identity: first.identity });
    expect(runs).toBe(1);
    expect(JSON.parse(await readFile(join(run.stageDir('sparse-transfer'), 'done.json'), 'utf8')).reused).toBeUndefined();

    const interrupted = run.stage('quantize', { steps: 3 }, async (stageDir) => {
      await mkdir(join(stageDir, 'checkpoints', 'checkpoint-2'), { recursive: true });
      throw new Error('stopped');
    });
    await expect(interrupted).rejects.toThrow('stopped');
    expect(await readdir(join(run.stageDir('quantize'), 'checkpoints'))).toEqual(['checkpoint-2']);
    expect((await readdir(run.stageDir('quantize'))).includes('done.json')).toBe(false);

    // Other settings of the same stage: the stage runs again in an emptied folder.
    await run.stage('sparse-transfer', { steps: 4 }, work);
    expect(runs).toBe(2);
  });

  it('refuses to start over an interrupted run and resumes only with the same settings', async () => {
    const out = join(dir, 'out');
    await openRunDirectory(out, { task: 'sst2' }, { resume: false, command: 'transfer' });
    await expect(openRunDirectory(out, { task: 'sst2' }, { resume: false, command: 'transfer' })).rejects.toThrow(/interrupted run/);
    await expect(openRunDirectory(out, { task: 'mrpc' }, { resume: true, command: 'transfer' })).rejects.toThrow(/changes to task/);
    const resumed = await openRunDirectory(out, { task: 'sst2' }, { resume: true, command: 'transfer' });
    await resumed.complete();
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')).completed).toBe(true);
  });
});
