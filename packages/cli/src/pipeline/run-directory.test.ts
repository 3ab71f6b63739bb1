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
  it('keeps the checkpoints of an unfinished stage and drops those of a finished one, keeping its model', async () => {
    const run = await openRunDirectory(join(dir, 'out'), { task: 'sst2' }, { resume: false, command: 'transfer' });
    for (const stage of ['sparse-transfer', 'quantize']) {
      await mkdir(join(run.stageDir(stage), 'checkpoints', 'checkpoint-2'), { recursive: true });
      await mkdir(join(run.stageDir(stage), 'model'), { recursive: true });
      await writeFile(join(run.stageDir(stage), 'model', 'config.json'), '{}');
    }
    await run.finish('sparse-transfer', { steps: 2 });
    expect((await readdir(run.stageDir('sparse-transfer'))).sort()).toEqual(['done.json', 'model']);
    expect(await readdir(join(run.stageDir('quantize'), 'checkpoints'))).toEqual(['checkpoint-2']);
    expect(await run.finished('sparse-transfer')).toEqual({ steps: 2 });
    expect(await run.finished('quantize')).toBeUndefined();
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
