import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pofa compress --resume` on a run folder that another pofa wrote, or whose files were altered
// after they were written: each case is a copy of a run stopped right after sparse pre-training
// (later stages removed, run.json not completed), altered, then resumed with the built CLI. A
// resume either refuses the folder (exit 1 with a message naming what changed) or ends with the
// bundles of a run that was never stopped; it never builds bundles from an altered model.

const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
let root: string;
let environment: NodeJS.ProcessEnv;
let referenceBundles: Record<string, string>;

interface Outcome {
  code: number | null;
  stderr: string;
}

function compress(out: string, extra: string[] = []): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'compress', '--scale', 'test', '--out', out, ...extra], { cwd: root, env: environment, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

async function bundlesOf(out: string): Promise<Record<string, string>> {
  const names = (await readdir(join(out, 'bundles'))).sort();
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, createHash('sha256').update(await readFile(join(out, 'bundles', name))).digest('hex')] as const)));
}

/** A copy of the reference run as a run stopped after sparse pre-training, altered by `alter`. */
async function stoppedRun(name: string, alter: (dir: string) => Promise<void> = async () => undefined): Promise<string> {
  const dir = join(root, name);
  await cp(join(root, 'reference'), dir, { recursive: true });
  for (const later of ['sparse-transfer', 'quantize', 'bundles', 'report.json', 'models.json']) await rm(join(dir, later), { recursive: true, force: true });
  // The copy resumes under its new name: `out` is not one of the settings a resume compares.
  const run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as { settings: Record<string, unknown>; completed: boolean };
  await writeJson(join(dir, 'run.json'), { ...run, completed: false });
  await alter(dir);
  return dir;
}

async function editJson(path: string, edit: (value: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  await writeJson(path, edit(JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>));
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Adds 0.5 to one weight of a safetensors file (it stays a valid file). */
async function changeOneWeight(path: string): Promise<void> {
  const bytes = await readFile(path);
  const offset = 8 + Number(bytes.readBigUInt64LE(0)) + 100;
  bytes.writeFloatLE(bytes.readFloatLE(offset) + 0.5, offset);
  await writeFile(path, bytes);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pofa-resume-altered-'));
  environment = { ...process.env, POFA_CACHE: join(root, 'cache') };
  const reference = await compress(join(root, 'reference'));
  expect(reference.code, reference.stderr).toBe(0);
  referenceBundles = await bundlesOf(join(root, 'reference'));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('pofa compress --resume on an altered run folder', () => {
  it('resumes an unaltered stopped run to the bundles of a run never stopped', async () => {
    const dir = await stoppedRun('unaltered');
    const resumed = await compress(dir, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/sparse pre-training \(distillation \+ gradual magnitude pruning\) reused/);
    expect(await bundlesOf(dir)).toEqual(referenceBundles);
  }, 60_000);

  it('refuses a run.json whose settings were edited, naming them', async () => {
    const dir = await stoppedRun('settings-edited', (folder) => editJson(join(folder, 'run.json'), (run) => ({ ...run, settings: { ...(run.settings as object), sparsity: 0.8 } })));
    const resumed = await compress(dir, ['--resume']);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain('Cannot resume the run');
    expect(resumed.stderr).toMatch(/changes to sparsity/);
  }, 60_000);

  it('refuses a truncated run.json: nothing to resume', async () => {
    const dir = await stoppedRun('run-json-truncated', (folder) => truncate(join(folder, 'run.json'), 20));
    const resumed = await compress(dir, ['--resume']);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain('Nothing to resume');
  }, 60_000);

  it('runs a stage again when its done.json is truncated, to the same bundles', async () => {
    const dir = await stoppedRun('done-json-truncated', (folder) => truncate(join(folder, 'sparse-pretrain', 'done.json'), 20));
    const resumed = await compress(dir, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/sparse pre-training \(distillation \+ gradual magnitude pruning\) done/);
    expect(await bundlesOf(dir)).toEqual(referenceBundles);
  }, 60_000);

  it('refuses a finished stage whose model file was cut short, naming the file', async () => {
    const dir = await stoppedRun('model-truncated', (folder) => truncate(join(folder, 'sparse-pretrain', 'model', 'model.safetensors'), 1000));
    const resumed = await compress(dir, ['--resume']);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(join('sparse-pretrain', 'model', 'model.safetensors'));
  }, 60_000);

  // A finished stage's model changed after its done.json was written (a valid file, one weight
  // moved): done.json records the SHA-256 of the stage's files, and the stage is refused.
  it('refuses, or runs again, a finished stage whose model file changed after it finished', async () => {
    const dir = await stoppedRun('model-changed', (folder) => changeOneWeight(join(folder, 'sparse-pretrain', 'model', 'model.safetensors')));
    const resumed = await compress(dir, ['--resume']);
    if (resumed.code === 0) expect(await bundlesOf(dir)).toEqual(referenceBundles);
    else expect(resumed.stderr).toContain('sparse-pretrain');
  }, 60_000);

  // run.json records its command and its run-folder format, and --resume compares both.
  it('refuses a run.json written by another command', async () => {
    const dir = await stoppedRun('other-command', (folder) => editJson(join(folder, 'run.json'), (run) => ({ ...run, command: 'transfer' })));
    const resumed = await compress(dir, ['--resume']);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain('transfer');
  }, 60_000);

  it('refuses a run.json of another run-folder format', async () => {
    const dir = await stoppedRun('other-format', (folder) => editJson(join(folder, 'run.json'), (run) => ({ ...run, format: 99, pofaVersion: '99.0.0' })));
    const resumed = await compress(dir, ['--resume']);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(/format|version/);
  }, 60_000);

  // `out` is not one of the compared settings: the same folder named by a relative path (or a
  // folder moved elsewhere) resumes.
  it('resumes the same folder named by a relative path', async () => {
    const dir = await stoppedRun('relative-out');
    const resumed = await compress(relative(root, dir), ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 60_000);
});
