#!/usr/bin/env node
// Are the sparse Linear kernels bound by memory bandwidth? Measures the machine's bandwidth
// (packages/sparse-kernels/scripts/mem-bandwidth.cc: read-only stream and STREAM triad, per-thread
// buffers in L2, in L3 and in DRAM) and, in the same process run, the encoder Linear layers of
// BERT-Base (12 layers: fused Q/K/V 2304×768, attention output 768×768, FFN 3072×768 and 768×3072,
// seeded random weights, pruned by magnitude) as the runtime calls them (`linear`, and
// `feedForward` for the FFN), for 90% unstructured fp32 (CSR) and 90% 4x1 int8, at batch 1 and 8
// × seq 128, taking turns round by round. For each it reports the bytes the kernels must move per
// second against the measured bandwidth:
//   - weights: the weights once (values + indices as the kernel reads them: CSR values and column
//     indices; int8 quads of 16 weights and 4 column indices), against DRAM read bandwidth (an upper
//     bound on the share: weights that fit in L3, as int8 ones do, may stay there between passes);
//   - passes: the weights once per 64-token tile (the kernels stream the whole weight past each
//     token tile; after the first it comes from L2/L3) + each Linear's fp32 input read and output
//     written, against L3 read bandwidth;
//   - gathered activations: the activation column (64 tokens: 256 bytes fp32, 64 bytes uint8) that
//     every stored weight (fp32) or quad column (int8) loads per tile, against L2 read bandwidth
//     (the tiles, 48-786 KB, do not fit the 48 KB L1).
// L2 is private to a core, so its bandwidth for N threads is the best of N threads measured
// together and N times one thread's; L3 and DRAM are shared: the best of 1 and N threads. On a
// busy machine the fastest pass and the best bandwidth window are the least disturbed ones.
// Usage: node sparse-kernels/bandwidth.mjs [--threads 2] [--rounds 9] [--out DIR]
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandom } from '@pofa/core';
import * as sk from '@pofa/sparse-kernels';
import { median } from './interleave.mjs';
import { magnitudeMask } from './random-encoder.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { threads: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' } } });
const threads = Number(args.threads ?? 2);
const rounds = Number(args.rounds ?? 9);
const outDirectory = args.out ?? join(here, '..', 'results');
const loadAtStart = os.loadavg();

/** Runs mem-bandwidth.cc (compiled here) on 1..threads threads; rows of { kernel, threads, kib, bestGBps, medianGBps }. */
function measureBandwidth() {
  const binary = join(os.tmpdir(), `pofa-mem-bandwidth-${process.pid}`);
  const source = join(here, '..', '..', 'packages', 'sparse-kernels', 'scripts', 'mem-bandwidth.cc');
  const compiled = spawnSync('c++', ['-O2', '-pthread', '-mavx512f', source, '-o', binary], { encoding: 'utf8' });
  if (compiled.status !== 0) throw new Error(`cannot compile ${source}: ${compiled.stderr}`);
  const run = spawnSync(binary, [String(threads), '400', '512', String(8 << 10), String(512 << 10)], { encoding: 'utf8' });
  void rm(binary, { force: true });
  return run.stdout.trim().split('\n').slice(1).map((line) => {
    const [kernel, count, kib, best, middle] = line.split(' ');
    return { kernel, threads: Number(count), kib: Number(kib), bestGBps: Number(best), medianGBps: Number(middle) };
  });
}

function randomMatrix(rows, cols, seed) {
  const random = createRandom(seed);
  return Float32Array.from({ length: rows * cols }, () => random.normal() * 0.02);
}

// The runtime's Linears per layer: [name, rows, cols].
const SHAPES = [['qkv', 2304, 768], ['attentionOutput', 768, 768], ['intermediate', 3072, 768], ['output', 768, 3072]];

/** One encoder's 48 Linear weights in a variant, with the bytes the kernels read per pass and the stored weights (or quad columns) per pass. */
function variantLayers(variant) {
  const layers = [];
  let weightBytes = 0;
  let gathers = 0;
  for (let layer = 0; layer < 12; layer++) {
    const weights = {};
    for (const [name, rows, cols] of SHAPES) {
      const data = randomMatrix(rows, cols, 100 * layer + rows + cols);
      const mask = magnitudeMask(data, rows, cols, 0.9, variant.pattern, layer);
      const packed = sk.packWeight(data, rows, cols, variant.pattern === 'unstructured' ? { format: 'csr', mask } : { format: 'block', block: [4, 1], mask });
      if (variant.dtype === 'fp32') {
        weightBytes += 8 * packed.values.length + 4 * (rows + 1);
        gathers += packed.values.length;
        weights[name] = { weight: packed, bias: new Float32Array(rows) };
      } else {
        // The int8 kernel's quads: per row group, its kept columns in fours (16 int8 weights + 4 int32 columns each).
        let quads = 0;
        for (let b = 0; b < rows / 4; b++) quads += Math.ceil((packed.blockRowPointers[b + 1] - packed.blockRowPointers[b]) / 4);
        weightBytes += 32 * quads + 4 * (rows / 4 + 1) + 8 * rows;
        gathers += 4 * quads;
        weights[name] = { weight: sk.quantizeWeightInt8(packed), bias: new Float32Array(rows) };
      }
    }
    layers.push(weights);
  }
  return { ...variant, layers, weightBytes, gathers };
}

/** One pass over every Linear of the encoder, as the runtime calls them (outputs preallocated). */
function linearPass(kernels, variant, input, tokens, buffers) {
  for (const { qkv, attentionOutput, intermediate, output } of variant.layers) {
    kernels.linear(input, tokens, qkv.weight, qkv.bias, { out: buffers.qkv });
    kernels.linear(input, tokens, attentionOutput.weight, attentionOutput.bias, { out: buffers.hidden });
    kernels.feedForward(buffers.hidden, tokens, intermediate.weight, intermediate.bias, output.weight, output.bias, { gelu: true, out: buffers.out });
  }
}

/** Activation bytes of one pass: each Linear's fp32 input read and output written. */
function activationBytes(tokens) {
  return 12 * SHAPES.reduce((sum, [, rows, cols]) => sum + 4 * tokens * (rows + cols), 0);
}

const kernels = sk.loadKernels({ threads });
console.log(`kernels ${kernels.name} ${kernels.isa}, ${threads} threads; load ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`);
const bandwidth = measureBandwidth();
for (const row of bandwidth) console.log(`  ${row.kernel} ${row.threads} thread(s) ${row.kib} KiB/thread: best ${row.bestGBps} GB/s, median ${row.medianGBps}`);
const variants = [{ label: '90% unstructured fp32', pattern: 'unstructured', dtype: 'fp32' }, { label: '90% 4x1 int8', pattern: '4x1', dtype: 'int8' }].map(variantLayers);
const cells = [];
for (const batch of [1, 8]) {
  const tokens = batch * 128;
  const input = randomMatrix(tokens, 768, batch);
  const buffers = { qkv: new Float32Array(tokens * 2304), hidden: new Float32Array(tokens * 768), out: new Float32Array(tokens * 768) };
  const times = variants.map(() => []);
  for (let round = -2; round < rounds; round++) {
    for (const [index, variant] of variants.entries()) {
      await sk.waitForIdleThreads();
      const start = performance.now();
      linearPass(kernels, variant, input, tokens, buffers);
      if (round >= 0) times[index].push(performance.now() - start);
    }
  }
  for (const [index, variant] of variants.entries()) {
    // The fastest pass: on a shared machine the one least slowed by other processes (the median is kept too).
    const ms = Math.min(...times[index]);
    const tiles = Math.ceil(tokens / 64);
    const perSecond = (bytes) => bytes / ms / 1e6;
    const cell = {
      variant: variant.label, batch, tokens, ms, medianMs: median(times[index]),
      weightMB: variant.weightBytes / 1e6,
      weightsGBps: perSecond(variant.weightBytes),
      passesGBps: perSecond(tiles * variant.weightBytes + activationBytes(tokens)),
      gatheredGBps: perSecond(tiles * variant.gathers * (variant.dtype === 'fp32' ? 256 : 64)),
    };
    cells.push(cell);
    console.log(`  batch ${batch} ${variant.label}: ${ms.toFixed(2)} ms for 48 Linears; weights ${cell.weightMB.toFixed(1)} MB at ${cell.weightsGBps.toFixed(1)} GB/s, passes ${cell.passesGBps.toFixed(1)} GB/s, gathered activations ${cell.gatheredGBps.toFixed(0)} GB/s`);
  }
}
const best = (kernel, kib, count) => bandwidth.find((row) => row.kernel === kernel && row.threads === count && row.kib === kib)?.bestGBps ?? 0;
const shared = (kernel, kib) => Math.max(best(kernel, kib, 1), best(kernel, kib, threads));
const reference = {
  l2Read: Math.max(best('read', 512, threads), threads * best('read', 512, 1)),
  l3Read: shared('read', 8 << 10),
  dramRead: shared('read', 512 << 10),
  dramTriad: shared('triad', 512 << 10),
};
const results = { machine: { cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), threads, kernels: `${kernels.name} ${kernels.isa}`, loadAverage: { start: loadAtStart, end: os.loadavg() } }, bandwidth, reference, cells };
const percent = (value, of) => (of ? `${((100 * value) / of).toFixed(0)}%` : '—');
const lines = [
  '# Sparse Linear kernels against measured memory bandwidth (BERT-Base, 12 layers, seq 128)',
  '',
  `${results.machine.cpu}, ${results.machine.cores} cores, ${threads} thread(s), kernels ${results.machine.kernels}; load average ${loadAtStart.map((x) => x.toFixed(2)).join(', ')} at start, ${results.machine.loadAverage.end.map((x) => x.toFixed(2)).join(', ')} at end.`,
  '',
  '## Bandwidth (scripts/mem-bandwidth.cc, best of ~2 ms windows over 0.4 s)',
  '',
  '| kernel | threads | KiB per thread | best GB/s | median GB/s |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...bandwidth.map((row) => `| ${row.kernel} | ${row.threads} | ${row.kib} | ${row.bestGBps} | ${row.medianGBps} |`),
  '',
  '## The 48 encoder Linears of one pass (fastest of the rounds, median beside it; variants taking turns)',
  '',
  `Bandwidth used as the reference (${threads} threads): L2 read ${reference.l2Read.toFixed(0)} GB/s, L3 read ${reference.l3Read.toFixed(0)} GB/s, DRAM read ${reference.dramRead.toFixed(1)} GB/s (triad ${reference.dramTriad.toFixed(1)}).`,
  'weights: the weights once per pass (values + indices as the kernels read them), vs DRAM read; passes: the weights once per 64-token tile + fp32 activations in and out, vs L3 read; gathered: activation columns loaded per stored weight (fp32) or quad column (int8) per tile, vs L2 read.',
  '',
  '| variant | batch | ms | median ms | weights MB | weights GB/s | of DRAM read | passes GB/s | of L3 read | gathered GB/s | of L2 read |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...cells.map((c) => `| ${c.variant} | ${c.batch} | ${c.ms.toFixed(2)} | ${c.medianMs.toFixed(2)} | ${c.weightMB.toFixed(1)} | ${c.weightsGBps.toFixed(1)} | ${percent(c.weightsGBps, reference.dramRead)} | ${c.passesGBps.toFixed(1)} | ${percent(c.passesGBps, reference.l3Read)} | ${c.gatheredGBps.toFixed(0)} | ${percent(c.gatheredGBps, reference.l2Read)} |`),
  '',
];
await mkdir(outDirectory, { recursive: true });
await writeFile(join(outDirectory, 'sparse-kernels-bandwidth.json'), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(join(outDirectory, 'sparse-kernels-bandwidth.md'), lines.join('\n'));
console.log(lines.slice(-cells.length - 1).join('\n'));
