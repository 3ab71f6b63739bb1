#!/usr/bin/env node
// Sparse transfer steps of BERT-Base (the transfer stage of `pofa transfer`): pofa on its
// pofa-native backend vs PyTorch (Debian's python3-torch, 2 threads) on the same 90%-sparse
// checkpoint, the same synthetic SST-2-like batches and the same step (pattern lock, optionally a
// dense teacher distilled and int8 QAT; AdamW, warmup + decay, clipping at 1, dropout 0.1).
//
//   cd benchmarks && node transfer/run.mjs [--configs lock,teacher,qat] [--batches 8,32] [--steps 8:4,32:3]
//     [--padded lock:8] [--padded-steps 8:3,32:3] [--warmup 1] [--rounds 2]
//     [--curve-configs lock,qat] [--curve-steps 20] [--curve-workload full|padded]
//     [--layers 12] [--hidden 768] [--micro-batch 16] [--python /usr/bin/python3] [--fma-peak GFLOPS] [--out results/transfer.json]
// --micro-batch: examples per forward/backward pass in both engines, gradients accumulated over a
// batch (16 × 128 = 2048 tokens, the pipeline's TRANSFER_TOKEN_BUDGET: batch 32 runs as 2 passes).
// On a shared machine each process starts only once other processes have used under --quiet-cores
// (0.25) cores for 5 s (waiting up to --quiet-wait seconds), and one during which they used more is
// run again (up to --retries times); every row records what the others used (otherCores).
// --fma-peak: the single-core FMA peak measured by packages/sparse-kernels/scripts/fma-peak.cc, in
// GFLOP/s (the table then gives the pofa step's share of it besides that of DESIGN.md's 115).
//
// Two workloads of sequence 128: `full` (every position a token: what a step costs without
// padding) for every --configs × --batches cell, and `padded` (SST-2-like sentences of 10–66
// wordpieces padded to 128, as the paper pads) for the --padded config:batch cells. Timing: per
// cell, `rounds` rounds; each round runs one fresh pofa process and one fresh PyTorch process
// (alternating which goes first), each taking `warmup` + timed steps from the initial weights; the
// table gives the median over rounds. Curves: each engine trains `curve-steps` steps at batch 8
// with dropout off (so both are deterministic) from the same weights on the same batches, and the
// losses are compared step by step. Checkpoints and batches live under .pofa-cache/transfer/ (git-ignored).
import { spawnSync } from 'node:child_process';
import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, writeFileAtomic } from '@pofa/core';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { loadEngines } from '../training-throughput/engines.mjs';
import { summarize } from './summary.mjs';
import { CONFIGS, LABELS, SPARSITY, syntheticBatches, writeBatches } from './workload.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    configs: { type: 'string', default: 'lock,teacher,qat' },
    batches: { type: 'string', default: '8,32' },
    steps: { type: 'string', default: '8:4,32:3' },
    padded: { type: 'string', default: 'lock:8' },
    'padded-steps': { type: 'string', default: '8:3,32:3' },
    'curve-workload': { type: 'string', default: 'full' },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    'curve-configs': { type: 'string', default: 'lock,qat' },
    'curve-steps': { type: 'string', default: '20' },
    layers: { type: 'string', default: '12' },
    hidden: { type: 'string', default: '768' },
    python: { type: 'string', default: '/usr/bin/python3' },
    threads: { type: 'string', default: '2' },
    'fma-peak': { type: 'string' },
    'micro-batch': { type: 'string', default: '16' },
    'quiet-cores': { type: 'string', default: '0.25' },
    'quiet-wait': { type: 'string', default: '900' },
    retries: { type: 'string', default: '2' },
    out: { type: 'string', default: join(here, '..', 'results', 'transfer.json') },
  },
});
const list = (text) => text.split(',').filter((item) => item !== '');
const layers = Number(args.layers);
const hidden = Number(args.hidden);
const warmup = Number(args.warmup);
const curveSteps = Number(args['curve-steps']);
const stepMap = (text) => Object.fromEntries(list(text).map((entry) => entry.split(':').map(Number)));
const stepsOf = { full: stepMap(args.steps), padded: stepMap(args['padded-steps']) };
const work = join(here, '..', '..', '.pofa-cache', 'transfer', `bert-${layers}x${hidden}`);
const exists = (path) => access(path).then(() => true, () => false);
const say = (text) => console.error(`transfer: ${text}`);

/** The sparse student (the checkpoint with a fresh 2-label head, saved so both engines start from it), the dense teacher, and copies of both without dropout. */
async function prepareCheckpoints() {
  const sparse = join(work, 'sparse-90');
  const paths = { student: join(work, 'student'), teacher: join(work, 'teacher'), studentNoDropout: join(work, 'student-no-dropout'), teacherNoDropout: join(work, 'teacher-no-dropout') };
  if (!(await exists(join(sparse, 'model.safetensors')))) {
    say(`writing the ${(100 * SPARSITY).toFixed(0)}%-sparse ${layers} x ${hidden} checkpoint to ${sparse}`);
    await writeSyntheticCheckpoint(sparse, { layers, hidden, sparsity: SPARSITY, seed: 1 });
  }
  if (!(await exists(join(paths.teacher, 'model.safetensors')))) {
    say(`writing the dense teacher to ${paths.teacher}`);
    await writeSyntheticCheckpoint(paths.teacher, { layers, hidden, task: 'sequence-classification', numLabels: LABELS, seed: 2 });
  }
  if (!(await exists(join(paths.student, 'model.safetensors')))) {
    // The head the transfer stage adds (pooler + classifier, seeded), written out so that PyTorch starts from the same weights.
    const { models, nativeRegistered } = await loadEngines();
    await initBackend({ backend: nativeRegistered ? 'pofa-native' : 'cpu' });
    const { model } = await models.loadPretrained(sparse, { task: 'sequence-classification', numLabels: LABELS, seed: 3 });
    await models.savePretrained(model, paths.student);
    model.dispose();
  }
  for (const [from, to] of [[paths.student, paths.studentNoDropout], [paths.teacher, paths.teacherNoDropout]]) {
    if (await exists(join(to, 'config.json'))) continue;
    await mkdir(to, { recursive: true });
    const config = JSON.parse(await readFile(join(from, 'config.json'), 'utf8'));
    await writeFile(join(to, 'config.json'), `${JSON.stringify({ ...config, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }, null, 2)}\n`);
    await symlink(join(from, 'model.safetensors'), join(to, 'model.safetensors'));
  }
  return paths;
}

/** Batches of each workload and batch size, enough for the longest run. */
async function prepareBatches(cells) {
  const files = {};
  for (const { workload, batch } of cells) {
    const file = join(work, `${workload}-${batch}.bin`);
    if (files[file] !== undefined) continue;
    const count = Math.max(...cells.filter((cell) => cell.workload === workload && cell.batch === batch).map((cell) => cell.steps));
    await writeBatches(file, syntheticBatches(count, batch, 1000 + batch, { padded: workload === 'padded' }));
    files[file] = true;
  }
  return (workload, batch) => join(work, `${workload}-${batch}.bin`);
}

/** CPU seconds: busy on the whole machine (/proc/stat), and used by this process and its waited-for children (/proc/self/stat). */
async function cpuSeconds() {
  const [total] = (await readFile('/proc/stat', 'utf8')).split('\n');
  const [user, nice, system, , , irq, softirq, steal] = total.split(/\s+/).slice(1).map(Number);
  const fields = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1].split(' ').map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / 100, own: (fields[11] + fields[12] + fields[13] + fields[14]) / 100 };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cores other processes kept busy over the last `seconds` (we are idle meanwhile). */
async function otherLoad(seconds) {
  const before = await cpuSeconds();
  await sleep(seconds * 1000);
  const after = await cpuSeconds();
  return (after.busy - before.busy - (after.own - before.own)) / seconds;
}

async function waitForQuiet() {
  const deadline = Date.now() + Number(args['quiet-wait']) * 1000;
  for (;;) {
    const others = await otherLoad(5);
    if (others < Number(args['quiet-cores'])) return;
    if (Date.now() > deadline) return say(`still ${others.toFixed(2)} cores busy after ${args['quiet-wait']} s: measuring anyway`);
    say(`other processes use ${others.toFixed(2)} cores: waiting`);
    await sleep(20_000);
  }
}

/** {@link measure} once the machine is quiet, again while other processes disturbed it (up to --retries). */
async function runEngine(engine, cell) {
  for (let attempt = 0; ; attempt++) {
    await waitForQuiet();
    const row = await measure(engine, cell);
    if (row.otherCores < 2 * Number(args['quiet-cores']) || attempt >= Number(args.retries)) return { ...row, attempts: attempt + 1 };
    say(`other processes used ${row.otherCores.toFixed(2)} cores meanwhile: measuring again`);
  }
}

async function measure(engine, { workload, config, batch, steps, student, teacher, batches }) {
  const micro = Math.min(batch, Number(args['micro-batch']));
  const common = ['--student', student, '--batches', batches, '--batch', String(batch), '--micro', String(micro), '--steps', String(steps), '--config', config, ...(CONFIGS[config].teacher ? ['--teacher', teacher] : [])];
  const [command, commandArgs] = engine === 'pytorch'
    ? [args.python, [join(here, 'torch_transfer.py'), ...common, '--threads', args.threads]]
    : [process.execPath, [join(here, 'pofa-steps.mjs'), ...common]];
  const loadBefore = os.loadavg()[0];
  const before = await cpuSeconds();
  const wallStart = performance.now();
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const line = result.stdout?.trim().split('\n').filter((text) => text.startsWith('{')).pop();
  if (result.status !== 0 || line === undefined) throw new Error(`${engine} ${config} batch ${batch} failed (exit ${result.status}): ${result.error?.message ?? ''}`);
  const after = await cpuSeconds();
  // Cores kept busy by other processes while this one ran: 0 on a quiet machine.
  const otherCores = (after.busy - before.busy - (after.own - before.own)) / ((performance.now() - wallStart) / 1000);
  const row = { workload, ...JSON.parse(line), loadBefore, otherCores };
  const timed = row.stepSeconds.slice(warmup);
  const mean = timed.reduce((sum, value) => sum + value, 0) / timed.length;
  say(`${engine.padEnd(11)} ${workload.padEnd(6)} ${config.padEnd(7)} batch ${batch}: ${(batch / mean).toFixed(2)} sequences/s (${mean.toFixed(2)} s/step), losses ${row.losses.map((loss) => loss.toFixed(4)).join(' ')}, load ${loadBefore.toFixed(2)}, other processes ${otherCores.toFixed(2)} cores`);
  return row;
}

const cells = [
  ...list(args.configs).flatMap((config) => list(args.batches).map(Number).map((batch) => ({ workload: 'full', config, batch, steps: stepsOf.full[batch] }))),
  ...list(args.padded).map((cell) => cell.split(':')).map(([config, batch]) => ({ workload: 'padded', config, batch: Number(batch), steps: stepsOf.padded[batch] })),
];
const curveCells = list(args['curve-configs']).map((config) => ({ workload: args['curve-workload'], config, batch: 8, steps: curveSteps }));
await mkdir(work, { recursive: true });
const paths = await prepareCheckpoints();
const batchesOf = await prepareBatches([...cells, ...curveCells]);
const started = new Date();
const timing = [];
for (const cell of cells) {
  for (let round = 0; round < Number(args.rounds); round++) {
    const order = round % 2 === 0 ? ['pofa-native', 'pytorch'] : ['pytorch', 'pofa-native'];
    for (const engine of order) {
      timing.push({ round, ...await runEngine(engine, { ...cell, student: paths.student, teacher: paths.teacher, batches: batchesOf(cell.workload, cell.batch) }) });
    }
  }
}
const curves = [];
for (const cell of curveCells) {
  const run = (engine) => runEngine(engine, { ...cell, student: paths.studentNoDropout, teacher: paths.teacherNoDropout, batches: batchesOf(cell.workload, cell.batch) });
  curves.push({ ...cell, dropout: 0, pofa: await run('pofa-native'), pytorch: await run('pytorch') });
}
const result = summarize({
  started, warmup, timing, curves, shape: { layers, hidden, heads: Math.max(1, Math.round(hidden / 64)), intermediate: 4 * hidden, vocab: 30522 },
  machine: {
    cpus: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version,
    ...(args['fma-peak'] === undefined ? {} : { measuredFmaPeakPerCore: Number(args['fma-peak']) * 1e9 }),
  },
  command: `node transfer/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
});
await mkdir(dirname(args.out), { recursive: true });
await writeFileAtomic(args.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ table: result.table, curves: result.curves.map(({ workload, config, maxAbsDifference }) => ({ workload, config, maxAbsDifference })), estimates: result.estimates }, null, 2));
say(`wrote ${args.out}`);
