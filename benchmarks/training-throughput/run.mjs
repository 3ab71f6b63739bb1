#!/usr/bin/env node
// Training throughput (tokens per second) of BERT masked-LM steps — forward + backward + AdamW —
// on the pofa-native tfjs backend, tfjs wasm, tfjs cpu and PyTorch (Debian's python3-torch), one
// fresh process per row. Writes results/training-throughput.json.
// Usage: node training-throughput/run.mjs [--engines pofa-native,wasm,cpu,pytorch]
//        [--models bert-mini,bert-base] [--steps 3] [--warmup 1] [--threads 2] [--timeout 1200] [--cpu-timeout 180]
// bert-mini runs at batch 32, bert-base at batch 8, both at sequence 128; tfjs cpu at
// --cpu-batch (4) and wasm at halved batches where the full one fails (see runWithFallback).
// Rows that still fail are recorded with tokensPerSecond null and the error. POFA_BENCH_SPARSE_KERNELS / POFA_BENCH_MODELS: see engines.mjs.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    engines: { type: 'string', default: 'pofa-native,wasm,cpu,pytorch' },
    models: { type: 'string', default: 'bert-mini,bert-base' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    timeout: { type: 'string', default: '1200' },
    'cpu-timeout': { type: 'string', default: '180' },
    'min-batch': { type: 'string', default: '4' },
    'cpu-batch': { type: 'string', default: '4' },
    out: { type: 'string', default: join(here, '..', 'results', 'training-throughput.json') },
  },
});
const BATCH = { 'bert-mini': 32, 'bert-base': 8 };
const SEQ = 128;

function runRow(engine, model, batch = BATCH[model]) {
  // tfjs cpu runs at about 1 GFLOP/s: one step, no warm-up, is all it can afford.
  const slow = engine === 'cpu';
  const steps = slow ? '1' : args.steps;
  const warmup = slow ? '0' : args.warmup;
  const common = ['--model', model, '--batch', String(batch), '--seq', String(SEQ), '--steps', steps, '--warmup', warmup];
  const [command, commandArgs] =
    engine === 'pytorch'
      ? ['/usr/bin/python3', [join(here, 'pytorch.py'), ...common, '--threads', args.threads]]
      : [process.execPath, [join(here, 'step-runner.mjs'), '--backend', engine, ...common]];
  const started = Date.now();
  const timeout = Number(slow ? args['cpu-timeout'] : args.timeout);
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: timeout * 1000, maxBuffer: 1 << 24 });
  const line = result.stdout?.trim().split('\n').filter((text) => text.startsWith('{')).pop();
  if (result.status !== 0 || line === undefined) {
    const timedOut = result.error !== undefined && /ETIMEDOUT/.test(result.error.message);
    const error = timedOut
      ? `no step within ${timeout} s (fewer than ${((batch * SEQ) / timeout).toFixed(1)} tokens/s)`
      : result.error?.message ?? result.stderr?.trim().split('\n').find((text) => /Error/.test(text)) ?? `exit ${result.status}`;
    console.error(`${engine} ${model} batch ${batch}: failed after ${((Date.now() - started) / 1000).toFixed(0)} s: ${error}`);
    return { engine, model, batch, seq: SEQ, threads: engine === 'pofa-native' || engine === 'pytorch' ? Number(args.threads) : 1, tokensPerSecond: null, error };
  }
  const row = JSON.parse(line);
  console.log(`${engine.padEnd(12)} ${model.padEnd(10)} batch ${row.batch} seq ${row.seq} threads ${row.threads}: ${row.tokensPerSecond.toFixed(0)} tokens/s (${row.secondsPerStep.toFixed(2)} s/step)`);
  return row;
}

/**
 * tfjs wasm's heap (at most 4 GiB) cannot hold bert-mini's batch-32 logits and their gradients
 * (each [4096, 30522] float32 tensor is 500 MB), and tfjs cpu needs minutes per batch-32 step: such
 * rows fall back to smaller batches (down to `--min-batch`), recorded with the batch they ran.
 */
function runWithFallback(engine, model) {
  let batch = BATCH[model];
  const failed = [];
  for (;;) {
    const row = runRow(engine, model, batch);
    if (row.tokensPerSecond !== null || engine === 'pytorch' || engine === 'pofa-native' || batch / 2 < Number(args['min-batch'])) {
      return failed.length === 0 ? row : { ...row, failedAtBatch: failed };
    }
    failed.push({ batch, error: row.error });
    batch /= 2;
  }
}

const rows = [];
for (const model of args.models.split(',')) {
  for (const engine of args.engines.split(',')) {
    const initialBatch = engine === 'cpu' ? Math.min(BATCH[model], Number(args['cpu-batch'])) : BATCH[model];
    rows.push(engine === 'cpu' && initialBatch !== BATCH[model] ? { ...runRow(engine, model, initialBatch), reducedFrom: BATCH[model] } : runWithFallback(engine, model));
  }
}
const ratios = {};
for (const model of args.models.split(',')) {
  const of = (engine) => rows.find((row) => row.engine === engine && row.model === model)?.tokensPerSecond ?? null;
  const native = of('pofa-native');
  ratios[model] = Object.fromEntries(['wasm', 'cpu', 'pytorch'].map((engine) => [`pofa-native/${engine}`, native !== null && of(engine) ? native / of(engine) : null]));
}
console.log(JSON.stringify(ratios, null, 2));
await mkdir(dirname(args.out), { recursive: true });
await writeFile(
  args.out,
  `${JSON.stringify({
    benchmark: 'training-throughput',
    note: 'tokens per second are batch·seq / seconds per step; rows with a smaller batch than asked ran it because the full one failed or was too slow (see failedAtBatch / reducedFrom)',
    workload: 'BERT masked-LM step (forward + backward + AdamW), vocabulary 30522, dropout 0.1, 15% masked, sequence 128',
    machine: { cpus: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), load: os.loadavg() },
    date: new Date().toISOString(),
    rows,
    ratios,
  }, null, 2)}\n`,
);
console.log(`wrote ${args.out}`);
