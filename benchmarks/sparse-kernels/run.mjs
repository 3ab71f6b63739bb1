#!/usr/bin/env node
// The pofa runtime (dense, unstructured and 4x1 sparse; fp32 and int8) against onnxruntime-node
// (fp32 and dynamic int8) on a BERT-shaped encoder with seeded random weights, in one process.
// For each (batch, seq) cell every engine runs once per round, in turn; speedups are medians of
// the per-round ratios. Usage:
//
//   node sparse-kernels/run.mjs [--batches 1,8] [--seqs 128] [--layers 12] [--hidden 768]
//        [--rounds 7] [--warmup 2] [--threads T] [--sparsities 0.8,0.9,0.95] [--isa avx2]
//        [--out DIR] [--name NAME] [--quick]
//
// Writes DIR/sparse-kernels-NAME.{json,md,svg} (DIR: benchmarks/results; NAME: bert-base,
// bert-large, quick, or hHIDDEN-lLAYERS). Needs the built packages (pnpm build) and the native
// addon of @pofa/sparse-kernels (it warns and runs the portable kernels otherwise).
// POFA_BENCH_SPARSE_KERNELS=/path/to/module.js imports the kernels package from another build.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { batchInputs, checkEngines, createEngines } from './engines.mjs';
import { median, medianRatio, timeRoundRobin } from './interleave.mjs';
import { measureKernels } from './kernel-throughput.mjs';
import { describeMachine, loadAverage } from './machine.mjs';
import { attentionFlops, linearFlops, profiledKernels, profileForward } from './profile.mjs';
import { benchmarkConfig, encoderLinearNames, randomTensors } from './random-encoder.mjs';
import { markdownReport, speedupSvg } from './report.mjs';

const sk = await import(process.env.POFA_BENCH_SPARSE_KERNELS ?? '@pofa/sparse-kernels');
const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: Object.fromEntries(['batches', 'seqs', 'layers', 'hidden', 'rounds', 'warmup', 'threads', 'sparsities', 'isa', 'out', 'name'].map((name) => [name, { type: 'string' }]).concat([['quick', { type: 'boolean', default: false }]])),
});
const list = (text) => text.split(',').map(Number);
const quick = args.quick;
const layers = Number(args.layers ?? (quick ? 2 : 12));
const hidden = Number(args.hidden ?? 768);
const batches = list(args.batches ?? (quick ? '1' : '1,8'));
const seqs = list(args.seqs ?? (quick ? '64' : '128'));
const rounds = Number(args.rounds ?? (quick ? 3 : 7));
const warmup = Number(args.warmup ?? (quick ? 1 : 2));
const threads = Number(args.threads ?? os.availableParallelism?.() ?? os.cpus().length);
const sparsities = list(args.sparsities ?? (quick ? '0.9' : '0.8,0.9,0.95'));
const defaultName = quick ? 'quick' : hidden === 768 && layers === 12 ? 'bert-base' : hidden === 1024 && layers === 24 ? 'bert-large' : `h${hidden}-l${layers}`;
const name = args.name ?? defaultName;
const outDirectory = args.out ?? join(here, '..', 'results');
const log = (...parts) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);
for (const [option, values] of [['batches', batches], ['seqs', seqs], ['layers', [layers]], ['hidden', [hidden]], ['rounds', [rounds]], ['threads', [threads]]]) {
  if (!values.every((value) => Number.isInteger(value) && value > 0)) throw new Error(`--${option} takes positive integers (got ${values.join(',')})`);
}
if (!sparsities.every((value) => value > 0 && value < 1)) throw new Error(`--sparsities takes fractions in (0, 1) (got ${sparsities.join(',')})`);

const loadAtStart = loadAverage();
const config = benchmarkConfig({ layers, hidden, maxPositions: Math.max(512, ...seqs) });
log(`building a ${layers}-layer encoder, hidden ${hidden}, ${config.numHeads} heads, FFN ${config.intermediateSizes[0]}, with seeded random weights`);
const dense = randomTensors(sk.encoderTensorShapes(config), 20211110);
const kernels = sk.loadKernels({ threads, ...(args.isa === undefined ? {} : { isa: args.isa }) });
if (kernels.name !== 'native') console.warn('WARNING: the native addon did not load; pofa runs on the portable kernels (slow).');
const sessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
log(`exporting ONNX with @pofa/onnx (fp32; int8 as quantize_dynamic writes it) and packing ${2 + 4 * sparsities.length} pofa variants`);
const engines = await createEngines(sk, ort, config, dense, { sparsities, kernels, sessionOptions });

// Correctness first: every engine against onnxruntime fp32 on the same weights.
const checks = await checkEngines(sk, ort, config, engines, batchInputs(ort, 2, Math.min(16, ...seqs), 1), sessionOptions);
for (const check of checks) log(`check ${check.label} vs ${check.reference}: max |difference| ${check.maxDifference.toExponential(2)} (tolerance ${check.tolerance.toExponential(2)})${check.agrees ? '' : ' - DISAGREES, not timed'}`);
const refused = new Set(checks.filter((check) => !check.agrees).map((check) => check.label));
const timed = engines.filter((engine) => !refused.has(engine.label));

const profiler = profiledKernels(kernels);
const cells = [];
const profiles = [];
for (const seq of seqs) {
  for (const batch of batches) {
    const inputs = batchInputs(ort, batch, seq, 2);
    log(`batch ${batch} x ${seq}: ${timed.length} engines, ${rounds} rounds after ${warmup} warm-up rounds, taking turns`);
    const times = await timeRoundRobin(timed, inputs, { rounds, warmup, settle: () => sk.waitForIdleThreads() });
    const baseline = (label) => times[timed.findIndex((engine) => engine.label === label)];
    const rows = timed.map((engine, index) => ({
      label: engine.label, engine: engine.engine, pattern: engine.pattern, sparsity: engine.sparsity, dtype: engine.dtype,
      times: times[index], msPerBatch: median(times[index]),
      speedupVsOrtFp32: medianRatio(baseline('ort fp32'), times[index]), speedupVsOrtInt8: medianRatio(baseline('ort int8'), times[index]),
    }));
    for (const row of rows) log(`  ${row.label}: ${row.msPerBatch.toFixed(1)} ms, ${row.speedupVsOrtFp32?.toFixed(2) ?? '—'}x ORT fp32, ${row.speedupVsOrtInt8?.toFixed(2) ?? '—'}x ORT int8`);
    cells.push({ batch, seq, order: timed.map((engine) => engine.label), rows });
    for (const engine of timed.filter((candidate) => candidate.engine === 'pofa')) {
      // The same bundle on the profiling kernels (each call timed), made per cell: its workspace is dropped after.
      const profile = profileForward(engine.profiled(profiler.kernels), profiler, inputs.pofa, { config, tokens: batch * seq, runs: Math.min(3, rounds) });
      profiles.push({ label: engine.label, dtype: engine.dtype, batch, seq, ...profile, linearFlops: linearFlops(engine.bundle, config, batch * seq), attentionFlops: attentionFlops(config, batch, seq) });
    }
  }
}

log('measuring each kernel alone against the measured peak');
const time = async (fn) => {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
};
const throughput = await measureKernels(sk, kernels, dense, encoderLinearNames(config)[4], { sparsities, cells: cells.map(({ batch, seq }) => ({ batch, seq })), time, config });
for (const profile of profiles) {
  const linearMs = profile.stages.linear + profile.stages.feedForward;
  profile.linearGflops = profile.linearFlops / linearMs / 1e6;
  profile.linearFractionOfPeak = profile.linearGflops / (profile.dtype === 'int8' ? throughput.peak.int8Gops : throughput.peak.fp32Gflops);
  profile.attentionGflops = profile.attentionFlops / profile.stages.attention / 1e6;
  profile.attentionFractionOfPeak = profile.attentionGflops / throughput.peak.fp32Gflops;
}
const loadAtEnd = loadAverage();
const machine = { ...describeMachine(kernels, ort.env.versions?.common ?? 'unknown'), threads: kernels.threads, loadAverage: { start: loadAtStart, end: loadAtEnd } };
const busy = Math.max(loadAtStart[0], loadAtEnd[0]) > 0.5 * machine.cores;
const results = {
  name,
  machine,
  settings: { layers, hidden, heads: config.numHeads, ffn: config.intermediateSizes[0], vocab: config.vocabSize, batches, seqs, sparsities, rounds, warmup, threads, ort: { intraOpNumThreads: threads, interOpNumThreads: 1 }, quick },
  note: busy ? `Measured under load (1-minute load average ${loadAtStart[0]} at start, ${loadAtEnd[0]} at end, on ${machine.cores} cores): timings are noisy; rerun on a quiet machine.` : null,
  checks,
  cells,
  profiles,
  peak: throughput.peak,
  kernels: throughput.kernels,
  compression: engines.filter((engine) => engine.engine === 'pofa').map((engine) => ({ label: engine.label, ...sk.compressionReport(engine.bundle) })),
};
for (const engine of engines) await engine.dispose();
await mkdir(outDirectory, { recursive: true });
const base = join(outDirectory, `sparse-kernels-${name}`);
await writeFile(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(`${base}.md`, markdownReport(results));
await writeFile(`${base}.svg`, speedupSvg(results));
log(`wrote ${base}.{json,md,svg}`);
