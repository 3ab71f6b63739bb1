#!/usr/bin/env node
// Sparse kernels vs onnxruntime-node on a BERT-base-shaped encoder with random weights.
// Usage: node sparse-kernels/run.mjs [--quick] [--threads N] [--repetitions N] [--warmup N]
//        [--layers N] [--batches 1,8] [--sparsities 0,0.8,0.9,0.95]
// Writes results/sparse-kernels.{json,md,svg}. Needs the built packages (pnpm build) and the
// native addon of @pofa/sparse-kernels (it warns and runs the portable kernels otherwise).
// POFA_BENCH_SPARSE_KERNELS=/path/to/module.js imports the kernels package from another build.
import { writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { buildOnnxModelFromStateDict } from '@pofa/onnx';
import { benchmarkConfig, encoderLinearNames, onnxStateDict, randomTensors, variantTensors } from './random-encoder.mjs';
import { markdownReport, speedupSvg } from './report.mjs';
import { measureKernels } from './kernel-throughput.mjs';
import { profiledKernels } from './profile.mjs';

const sk = await import(process.env.POFA_BENCH_SPARSE_KERNELS ?? '@pofa/sparse-kernels');
const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    threads: { type: 'string' },
    repetitions: { type: 'string' },
    warmup: { type: 'string' },
    layers: { type: 'string' },
    batches: { type: 'string' },
    sparsities: { type: 'string' },
    out: { type: 'string' },
  },
});
const threads = Number(args.threads ?? (os.availableParallelism?.() ?? os.cpus().length));
const repetitions = Number(args.repetitions ?? (args.quick ? 2 : 7));
const warmup = Number(args.warmup ?? (args.quick ? 1 : 2));
const layers = Number(args.layers ?? 12);
const batches = (args.batches ?? '1,8').split(',').map(Number);
const sparsities = (args.sparsities ?? '0,0.8,0.9,0.95').split(',').map(Number);
const seq = 128;
const outDirectory = args.out ?? join(here, '..', 'results');
const log = (...parts) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

async function median(fn) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function inputsFor(batch, seed) {
  const ids = [];
  for (let b = 0; b < batch; b++) ids.push(Array.from({ length: seq }, (_, s) => (s === 0 ? 101 : 1000 + ((seed * 7919 + b * 131 + s * 31) % 28000))));
  const mask = ids.map((row, b) => row.map((_, s) => (s < seq - 4 * b ? 1 : 0)));
  const types = ids.map((row) => row.map((_, s) => (s < seq / 2 ? 0 : 1)));
  const flat = (rows) => BigInt64Array.from(rows.flat().map(BigInt));
  const feeds = {
    input_ids: new ort.Tensor('int64', flat(ids), [batch, seq]),
    attention_mask: new ort.Tensor('int64', flat(mask), [batch, seq]),
    token_type_ids: new ort.Tensor('int64', flat(types), [batch, seq]),
  };
  return { pofa: { inputIds: ids, attentionMask: mask, tokenTypeIds: types }, ort: feeds };
}

const config = benchmarkConfig({ layers });
log(`building a ${layers}-layer BERT-base-shaped encoder with random weights`);
const dense = randomTensors(sk.encoderTensorShapes(config), 20211110);
const kernels = sk.loadKernels({ threads });
if (kernels.name !== 'native') console.warn('WARNING: the native addon did not load; pofa runs on the portable kernels (slow).');
const sessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
log('exporting ONNX with @pofa/onnx (fp32, and dynamic int8 as quantize_dynamic writes it) and starting onnxruntime sessions');
const sessions = {
  fp32: await ort.InferenceSession.create(buildOnnxModelFromStateDict(config, onnxStateDict(sk, config, dense)), sessionOptions),
  int8: await ort.InferenceSession.create(buildOnnxModelFromStateDict(config, onnxStateDict(sk, config, dense, { int8: true }), { dynamicQuantization: true }), sessionOptions),
};

const profiler = profiledKernels(kernels);
const profiles = [];
const PROFILED = new Set(['dense 0 false', 'dense 0 true', '4x1 0.9 false', '4x1 0.9 true', 'unstructured 0.9 false', 'unstructured 0.9 true']);

/** The runtime of a variant, built through a serialized and re-parsed bundle; with a profiled twin for some variants. */
function runtimeFor(variant) {
  const tensors = variantTensors(sk, config, dense, variant);
  const bundle = sk.parseBundle(sk.serializeBundle({ config, tensors, ...(variant.int8 ? { quantization: { weights: { bits: 8, symmetric: true, granularity: 'per-row' } } } : {}) }));
  const runtime = sk.createEncoderRuntime(bundle, { kernels });
  if (PROFILED.has(`${variant.pattern} ${variant.sparsity} ${variant.int8}`)) runtime.profiled = sk.createEncoderRuntime(bundle, { kernels: profiler.kernels });
  return runtime;
}

// Correctness guard: the dense fp32 pofa runtime and ORT fp32 agree before anything is timed.
const guardInputs = inputsFor(2, 1);
const denseRuntime = runtimeFor({ pattern: 'dense', sparsity: 0, int8: false });
const ortHidden = (await sessions.fp32.run(guardInputs.ort)).last_hidden_state.data;
const pofaHidden = denseRuntime.run(guardInputs.pofa).hidden;
let maxAbsDifference = 0;
for (let i = 0; i < ortHidden.length; i++) maxAbsDifference = Math.max(maxAbsDifference, Math.abs(ortHidden[i] - pofaHidden[i]));
const limit = 1e-3;
log(`correctness guard: max |pofa - ORT| = ${maxAbsDifference.toExponential(2)}`);
if (!(maxAbsDifference < limit)) {
  console.error(`pofa and onnxruntime disagree on the dense fp32 model (max difference ${maxAbsDifference} ≥ ${limit}); not timing.`);
  process.exit(1);
}

const rows = [];
const compression = [];
const ortFp32 = new Map();
for (const batch of batches) {
  const inputs = inputsFor(batch, 2);
  for (const dtype of ['fp32', 'int8']) {
    const ms = await median(() => sessions[dtype].run(inputs.ort));
    if (dtype === 'fp32') ortFp32.set(batch, ms);
    rows.push({ engine: 'ort', pattern: 'dense', sparsity: 0, dtype, batch, seq, threads, msPerBatch: ms });
    log(`ort ${dtype} batch ${batch}: ${ms.toFixed(1)} ms`);
  }
}
const variants = [];
for (const int8 of [false, true]) {
  for (const sparsity of sparsities) {
    for (const pattern of sparsity === 0 ? ['dense'] : ['unstructured', '4x1']) variants.push({ pattern, sparsity, int8 });
  }
}
for (const variant of variants) {
  const runtime = variant.pattern === 'dense' && !variant.int8 ? denseRuntime : runtimeFor(variant);
  const dtype = variant.int8 ? 'int8' : 'fp32';
  if (variant.sparsity === 0.9 || (variant.sparsity === 0 && variant.int8)) compression.push({ pattern: variant.pattern, sparsity: variant.sparsity, dtype, ...runtime.compression });
  for (const batch of batches) {
    const inputs = inputsFor(batch, 2);
    const ms = await median(() => runtime.run(inputs.pofa));
    rows.push({ engine: 'pofa', pattern: variant.pattern, sparsity: variant.sparsity, dtype, batch, seq, threads, msPerBatch: ms });
    if (runtime.profiled !== undefined) {
      profiler.take();
      const start = performance.now();
      runtime.profiled.run(inputs.pofa);
      const total = performance.now() - start;
      profiles.push({ pattern: variant.pattern, sparsity: variant.sparsity, dtype, batch, totalMs: total, kernelMs: profiler.take() });
    }
    log(`pofa ${variant.pattern} ${Math.round(variant.sparsity * 100)}% ${dtype} batch ${batch}: ${ms.toFixed(1)} ms`);
  }
}
for (const row of rows) row.speedupVsOrtFp32 = ortFp32.get(row.batch) / row.msPerBatch;

log('measuring kernel throughput');
const { peak, kernels: kernelRows } = await measureKernels(sk, kernels, dense, encoderLinearNames(config)[4], { sparsities: sparsities.filter((s) => s > 0), seq, batches, median, config });
const loadAverage = os.loadavg();
const results = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.versions.node, ort: ort.env.versions?.common ?? 'unknown', kernels: { name: kernels.name, isa: kernels.isa, threads: kernels.threads }, loadAverage },
  settings: { layers, hidden: config.hiddenSize, ffn: config.intermediateSizes[0], seq, batches, threads, repetitions, warmup },
  note: loadAverage[0] > 0.5 * os.cpus().length ? `Measured under load (1-minute load average ${loadAverage[0].toFixed(2)} on ${os.cpus().length} cores): timings are noisy; rerun on a quiet machine.` : undefined,
  correctness: { maxAbsDifference, limit },
  peak,
  rows,
  kernels: kernelRows,
  compression,
  profiles,
};
await mkdir(outDirectory, { recursive: true });
await writeFile(join(outDirectory, 'sparse-kernels.json'), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(join(outDirectory, 'sparse-kernels.md'), markdownReport(results));
await writeFile(join(outDirectory, 'sparse-kernels.svg'), speedupSvg(results));
log(`wrote ${join(outDirectory, 'sparse-kernels.{json,md,svg}')}`);
