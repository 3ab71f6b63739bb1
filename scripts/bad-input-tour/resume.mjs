// Resume after Ctrl-C and SIGTERM (the suite's kill-resume test uses SIGKILL): a `compress --scale
// test` stopped inside a stage exits 130, and `--resume` finishes it with the models, metric
// values and bundles byte-identical to the uninterrupted run of the fixtures (`run/`).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, runCli } from './run-case.mjs';

const MODELS = ['sparse-pretrain/model/model.safetensors', 'sparse-transfer/model/model.safetensors', 'quantize/model/model.safetensors', 'quantize/model-int8.safetensors'];

/** sha256 of each stage model and bundle, and report.json without timings and sizes. */
export async function runOutputs(out) {
  const bundles = (await readdir(join(out, 'bundles'))).sort().map((name) => `bundles/${name}`);
  const files = {};
  for (const path of [...MODELS, ...bundles]) files[path] = createHash('sha256').update(await readFile(join(out, path))).digest('hex');
  const rows = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  return { files, metrics: rows.map(({ latencyMs: _latency, speedup: _speedup, bundleBytes: _bytes, ...row }) => row) };
}

export const RESUME_CASES = [
  { name: 'Ctrl-C (SIGINT) in sparse transfer', watch: 'sparse-transfer/checkpoints/checkpoint-3', signals: ['SIGINT'] },
  { name: 'SIGTERM in sparse pre-training, half-way', watch: 'sparse-pretrain/checkpoints/checkpoint-6', signals: ['SIGTERM'] },
  { name: 'Ctrl-C twice (quit at once) in sparse pre-training', watch: 'sparse-pretrain/checkpoints/checkpoint-3', signals: ['SIGINT', 'SIGINT'] },
];

/** Starts compress in `out`, sends `signals` once `watch` exists; the exit code and stderr (undefined: it ended first). */
async function interrupt(out, { watch, signals }, { dir, env }) {
  await rm(out, { recursive: true, force: true });
  const child = spawn(process.execPath, [BIN, 'compress', '--scale', 'test', '--out', out], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const closed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void closed.then(() => (ended = true));
  while (!ended && !existsSync(join(out, watch))) await new Promise((resolve) => setTimeout(resolve, 2));
  if (ended) return undefined;
  for (const signal of signals) {
    child.kill(signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { code, signal } = await closed;
  return { code, signal, stderr };
}

/** One resume case: interrupt (three tries to land inside the stage), resume, compare with `run/`. */
export async function runResumeCase(item, context, reference) {
  const out = join(context.dir, 'resume-run');
  const started = Date.now();
  const problems = [];
  let stopped;
  for (let attempt = 0; attempt < 3 && stopped === undefined; attempt += 1) stopped = await interrupt(out, item, context);
  if (stopped === undefined) problems.push(`the run ended before ${item.watch} appeared, three times`);
  else {
    // Twice Ctrl-C quits at once: by the signal itself (as a shell expects) or with 130.
    const quit = item.signals.length > 1 && stopped.signal === 'SIGINT';
    if (stopped.code !== 130 && !quit) problems.push(`exit ${stopped.code ?? stopped.signal} after ${item.signals.join(' + ')}, expected 130`);
    if (/unexpected error|^\s{4}at /im.test(stopped.stderr)) problems.push('unexpected error or stack trace when stopped');
    const resumed = await runCli({ argv: ['compress', '--scale', 'test', '--out', out, '--resume'], cwd: context.dir, env: context.env });
    if (resumed.code !== 0) problems.push(`--resume exited ${resumed.code}: ${resumed.stderr.split('\n')[0]}`);
    else {
      const outputs = await runOutputs(out);
      for (const [path, hash] of Object.entries(reference.files)) if (outputs.files[path] !== hash) problems.push(`${path} differs from the uninterrupted run`);
      if (JSON.stringify(outputs.metrics) !== JSON.stringify(reference.metrics)) problems.push('report.json metrics differ from the uninterrupted run');
    }
  }
  await rm(out, { recursive: true, force: true });
  const lines = (stopped?.stderr ?? '').split('\n').filter((line) => line.trim() !== '');
  const error = lines.filter((line) => line.startsWith('pofa: ')).at(-1);
  return { command: 'compress (resume)', argv: ['compress', '--scale', 'test', '--out', 'resume-run', `(${item.name}, then --resume)`], code: stopped?.code ?? stopped?.signal, firstLine: lines[0] ?? '', error, ms: Date.now() - started, problems };
}
