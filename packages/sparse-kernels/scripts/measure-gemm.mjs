#!/usr/bin/env node
// A quick local measurement (not a test): single-thread dense fp32 GEMM of the native addon
// against the single-core FMA peak measured on the same machine, alternating the two so that
// a shared, loaded machine slows both alike; also 90%-sparse 4x1 fp32 and int8 linears.
// Usage: node scripts/measure-gemm.mjs [rounds]   (after the package build)
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const addon = require(join(root, 'native', 'build', 'Release', 'pofa_sparse_kernels.node'));
const rounds = Number(process.argv[2] ?? 5);
const { isa } = addon.info();
addon.setThreads(1);

const peakBinary = join(tmpdir(), `pofa-fma-peak-${process.pid}`);
const avx512 = isa === 'avx512-vnni';
const flags = avx512 ? ['-mavx512f', '-mfma'] : ['-mavx2', '-mfma', '-DPOFA_PEAK_AVX2'];
const compiled = spawnSync('c++', ['-O2', ...flags, join(root, 'scripts', 'fma-peak.cc'), '-o', peakBinary], { stdio: 'inherit' });
if (compiled.status !== 0) throw new Error('could not compile scripts/fma-peak.cc');
const peak = () => Number(spawnSync(peakBinary, ['1000'], { encoding: 'utf8' }).stdout);

const random = (size) => Float32Array.from({ length: size }, () => Math.random() * 2 - 1);
function gflops(flops, body) {
  body();
  let best = Infinity;
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    body();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return flops / best / 1e9;
}

const shapes = [[128, 768, 3072], [128, 768, 768], [384, 768, 768], [384, 768, 3072]];
console.log(`isa ${isa}, 1 thread`);
for (let round = 0; round < rounds; round++) {
  const before = peak();
  const results = shapes.map(([m, k, n]) => {
    const a = random(m * k), b = random(n * k), out = new Float32Array(m * n);
    return gflops(2 * m * k * n, () => addon.gemm(a, m, k, b, n, null, out));
  });
  const after = peak();
  const reference = Math.max(before, after);
  console.log(
    `peak ${reference.toFixed(1)} GFLOP/s | ` +
      shapes.map(([m, k, n], i) => `gemm ${m}x${k}x${n}: ${results[i].toFixed(1)} GFLOP/s (${((100 * results[i]) / reference).toFixed(0)}%)`).join(' | '),
  );
}

// 90% sparse 4x1 blocks, fp32 and int8 (effective dense GFLOP/s = 2·tokens·in·out / time).
const [tokens, cols, rows] = [128, 768, 3072];
const blockRows = rows / 4;
const pointers = new Int32Array(blockRows + 1);
const columns = [];
for (let b = 0; b < blockRows; b++) {
  for (let c = 0; c < cols; c++) if (Math.random() < 0.1) columns.push(c);
  pointers[b + 1] = columns.length;
}
const blockColumns = Int32Array.from(columns);
const values = random(columns.length * 4);
const input = random(tokens * cols);
const out = new Float32Array(tokens * rows);
const dense = 2 * tokens * cols * rows;
const sparse = gflops(dense, () => addon.linearBlock4x1(input, tokens, cols, rows, pointers, blockColumns, values, null, false, out));
// int8: the same blocks gathered 4 columns at a time per block row (quads, see prepare-weight.ts).
const quadPointers = new Int32Array(blockRows + 1);
const quadColumns = [];
for (let b = 0; b < blockRows; b++) {
  const kept = Array.from(blockColumns.subarray(pointers[b], pointers[b + 1]));
  while (kept.length % 4 !== 0) kept.push(kept[kept.length - 1]);
  quadColumns.push(...kept);
  quadPointers[b + 1] = quadColumns.length / 4;
}
const weights = Int8Array.from({ length: quadColumns.length * 4 }, () => Math.floor(Math.random() * 255) - 127);
const int8 = gflops(dense, () =>
  addon.linearInt8(input, tokens, cols, rows, quadPointers, Int32Array.from(quadColumns), weights, new Int32Array(rows), new Float32Array(rows).fill(0.01), true, 1, 0, null, false, out),
);
console.log(`90% 4x1 ${tokens}x${cols}->${rows}: fp32 ${sparse.toFixed(1)}, int8 ${int8.toFixed(1)} dense-equivalent GFLOP/s (1 thread)`);
rmSync(peakBinary, { force: true });
