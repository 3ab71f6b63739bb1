import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pofa compress --scale test` killed with SIGKILL inside a stage (the moment a stage's folder
// shows a file, polled every millisecond), then run again with --resume, against one run that was
// never interrupted (same seed, same cache): the stage models, the metric values of report.json
// and the bundles must be byte-identical. Runs the built CLI (dist/bin.js).

const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
let root: string;
let environment: NodeJS.ProcessEnv;

/** What a finished run leaves that must not depend on interruptions. */
interface RunOutputs {
  /** sha256 of each stage's model.safetensors and of each bundle, by path in the run folder. */
  files: Record<string, string>;
  /** report.json rows without the timings (latency, speedup) and the bundle sizes (compared with the bundles). */
  metrics: unknown[];
  bundleBytes: Record<string, number>;
}

const MODELS = ['sparse-pretrain/model/model.safetensors', 'sparse-transfer/model/model.safetensors', 'quantize/model/model.safetensors', 'quantize/model-int8.safetensors'];

async function outputsOf(out: string): Promise<RunOutputs> {
  const bundles = (await readdir(join(out, 'bundles'))).sort().map((name) => `bundles/${name}`);
  const files: Record<string, string> = {};
  for (const path of [...MODELS, ...bundles]) files[path] = createHash('sha256').update(await readFile(join(out, path))).digest('hex');
  const rows = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Array<Record<string, unknown>>;
  const metrics = rows.map(({ latencyMs: _latency, speedup: _speedup, bundleBytes: _bytes, ...row }) => row);
  const bundleBytes = Object.fromEntries(rows.map((row) => [String(row.stage), Number(row.bundleBytes)]));
  return { files, metrics, bundleBytes };
}

/** Runs `pofa compress --scale test --out out` (with `--resume`) to its end. */
function compress(out: string, resume: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'compress', '--scale', 'test', '--out', out, ...(resume ? ['--resume'] : [])], { env: environment, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pofa compress${resume ? ' --resume' : ''} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

/**
 * Starts `pofa compress` in a fresh `out` and kills it with SIGKILL as soon as `watch` (a path in
 * the run folder) exists. Returns false when the run ended first, or when the kill landed after
 * the watched stage finished (its done.json written): the moment was missed.
 */
async function killWhen(out: string, watch: string): Promise<boolean> {
  await rm(out, { recursive: true, force: true });
  const child = spawn(process.execPath, [bin, 'compress', '--scale', 'test', '--out', out], { env: environment, stdio: 'ignore' });
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  let ended = false;
  void closed.then(() => (ended = true));
  while (!ended && !existsSync(join(out, watch))) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!ended) child.kill('SIGKILL');
  const signal = await closed;
  return signal === 'SIGKILL' && !existsSync(join(out, watch.split('/')[0], 'done.json'));
}

let reference: RunOutputs;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pofa-kill-resume-'));
  // One cache for every run: the reference run fills it (vocabulary, teachers), the others reuse it.
  environment = { ...process.env, POFA_CACHE: join(root, 'cache') };
  await compress(join(root, 'reference'), false);
  reference = await outputsOf(join(root, 'reference'));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Kills a run at `watch` (up to three tries to land inside the stage), resumes it, and returns what it left. */
async function killAndResume(name: string, watch: string): Promise<RunOutputs> {
  const out = join(root, name);
  let landed = false;
  for (let attempt = 0; attempt < 3 && !landed; attempt++) landed = await killWhen(out, watch);
  if (!landed) throw new Error(`SIGKILL never landed inside the stage of ${watch} in 3 tries`);
  await compress(out, true);
  return outputsOf(out);
}

describe('pofa compress --scale test killed with SIGKILL, then --resume', () => {
  for (const [name, watch] of [
    ['sparse pre-training', 'sparse-pretrain/checkpoints/checkpoint-3'],
    ['sparse transfer', 'sparse-transfer/checkpoints/checkpoint-3'],
    ['quantization-aware training', 'quantize/checkpoints/checkpoint-3'],
  ] as const) {
    it(`during ${name} (after its first checkpoint): models, metrics and bundles are byte-identical to an uninterrupted run`, async () => {
      const resumed = await killAndResume(name.replaceAll(' ', '-'), watch);
      expect(resumed).toEqual(reference);
    }, 60_000);
  }

  // A kill while the bundles are written: the resumed run rebuilds the QAT model from its folder
  // (loadQuantizedStage), whose int8 tensors come back from model-int8.safetensors sorted by name,
  // while the uninterrupted run holds them in the model's module order; bundleInt8Options lists the
  // activation ranges in name order, so both write the same sparse-int8.pofa.
  describe('while the bundles are written', () => {
    let resumed: RunOutputs;
    beforeAll(async () => {
      resumed = await killAndResume('bundles', 'bundles/dense.pofa');
    }, 60_000);

    it('the models, the metric values and the fp32 bundles are byte-identical to an uninterrupted run', () => {
      for (const path of [...MODELS, 'bundles/dense.pofa', 'bundles/sparse.pofa']) expect(resumed.files[path], path).toBe(reference.files[path]);
      expect(resumed.metrics).toEqual(reference.metrics);
    });

    it('the int8 bundle is byte-identical to an uninterrupted run', () => {
      expect(resumed.files['bundles/sparse-int8.pofa']).toBe(reference.files['bundles/sparse-int8.pofa']);
    });
  });
});
