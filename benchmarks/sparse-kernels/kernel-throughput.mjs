// Throughput of each kernel (GFLOP/s of useful work) against a measured peak: the best dense
// fp32 GEMM (and the best dense int8 Linear for int8 kernels) on the FFN weight's shape.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countZeros, createRandom } from '@pofa/core';
import { magnitudeMask } from './random-encoder.mjs';

/**
 * Single-core fp32 FMA throughput from the kernels package's microbenchmark
 * (scripts/fma-peak.cc, compiled here with the system C++ compiler); undefined when it
 * cannot be built or run.
 */
export function fmaPeakPerCore(isa) {
  const source = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'sparse-kernels', 'scripts', 'fma-peak.cc');
  const binary = join(tmpdir(), `pofa-bench-fma-peak-${process.pid}`);
  const flags = isa === 'avx512-vnni' ? ['-mavx512f', '-mfma'] : ['-mavx2', '-mfma', '-DPOFA_PEAK_AVX2'];
  const compiled = spawnSync('c++', ['-O2', ...flags, source, '-o', binary], { encoding: 'utf8' });
  if (compiled.status !== 0) return undefined;
  const runs = [0, 1, 2].map(() => Number(spawnSync(binary, ['300'], { encoding: 'utf8' }).stdout));
  rmSync(binary, { force: true });
  const best = Math.max(...runs.filter(Number.isFinite));
  return best > 0 ? best : undefined;
}

function randomInput(length, seed) {
  const random = createRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.normal();
  return out;
}

/**
 * Useful GFLOP/s of each kernel alone on one FFN weight (dense fp32 GEMM, dense int8, unstructured
 * and 4x1 at each sparsity in fp32 and int8) and of attention, for the token counts of `cells`,
 * each as a fraction of the measured peak (`time(fn)`: the median milliseconds of `fn`).
 */
export async function measureKernels(sk, kernels, dense, weightName, { sparsities, cells, time, config }) {
  const { shape, data } = dense.get(weightName);
  const [rows, cols] = shape;
  const tokenCounts = [...new Set(cells.map(({ batch, seq }) => batch * seq))];
  const inputs = new Map(tokenCounts.map((tokens) => [tokens, randomInput(tokens * cols, tokens)]));
  const gflops = (flops, ms) => flops / ms / 1e6;
  const denseFp32 = sk.packWeight(data, rows, cols, { format: 'dense' });
  const denseInt8 = sk.quantizeWeightInt8(denseFp32);
  const peak = { fp32Gflops: 0, fp32Source: '', int8Gops: 0, int8Source: '' };
  const out = [];
  for (const tokens of tokenCounts) {
    const input = inputs.get(tokens);
    const flops = 2 * tokens * rows * cols;
    // Outputs are preallocated, as the runtime's workspace does: a fresh array per call would add page faults.
    const result = new Float32Array(tokens * rows);
    const gemm = gflops(flops, await time(() => kernels.gemm(input, tokens, cols, data, rows, undefined, result)));
    if (gemm > peak.fp32Gflops) Object.assign(peak, { fp32Gflops: gemm, fp32Source: `gemm ${tokens}x${cols}x${rows}` });
    const int8 = gflops(flops, await time(() => kernels.linear(input, tokens, denseInt8, undefined, { out: result })));
    if (int8 > peak.int8Gops) Object.assign(peak, { int8Gops: int8, int8Source: `dense int8 linear ${tokens}x${cols}x${rows}` });
    out.push({ kernel: 'gemm', pattern: 'dense', sparsity: 0, dtype: 'fp32', tokens, gflops: gemm });
    out.push({ kernel: 'linear', pattern: 'dense', sparsity: 0, dtype: 'int8', tokens, gflops: int8 });
  }
  for (const pattern of ['unstructured', '4x1']) {
    for (const sparsity of sparsities) {
      const mask = magnitudeMask(data, rows, cols, sparsity, pattern, 7);
      const fp32 = sk.packWeight(data, rows, cols, pattern === 'unstructured' ? { format: 'csr', mask } : { format: 'block', block: [4, 1], mask });
      for (const [dtype, weight] of [['fp32', fp32], ['int8', sk.quantizeWeightInt8(fp32)]]) {
        for (const tokens of tokenCounts) {
          const input = inputs.get(tokens);
          const useful = 2 * tokens * (fp32.values.length - countZeros(fp32.values));
          const result = new Float32Array(tokens * rows);
          const rate = gflops(useful, await time(() => kernels.linear(input, tokens, weight, undefined, { out: result })));
          out.push({ kernel: 'linear', pattern, sparsity, dtype, tokens, gflops: rate });
        }
      }
    }
  }
  for (const { batch, seq } of cells) {
    const width = config.hiddenSize;
    const headDim = width / config.numHeads;
    const q = randomInput(batch * seq * width, 1);
    const k = randomInput(batch * seq * width, 2);
    const v = randomInput(batch * seq * width, 3);
    const flops = 4 * batch * config.numHeads * seq * seq * headDim;
    const result = new Float32Array(batch * seq * width);
    const rate = gflops(flops, await time(() => kernels.attention(q, k, v, { batch, seq, heads: config.numHeads, headDim, out: result })));
    out.push({ kernel: 'attention', pattern: 'dense', sparsity: 0, dtype: 'fp32', tokens: batch * seq, seq, gflops: rate });
  }
  peak.bestGemmGflops = peak.fp32Gflops;
  peak.bestDenseInt8Gops = peak.int8Gops;
  const perCore = kernels.name === 'native' ? fmaPeakPerCore(kernels.isa) : undefined;
  if (perCore !== undefined) {
    peak.fmaPerCoreGflops = perCore;
    peak.fp32Gflops = perCore * kernels.threads;
    peak.fp32Source = `FMA microbenchmark ${perCore.toFixed(1)} GFLOP/s per core × ${kernels.threads} thread(s)`;
    if (kernels.isa === 'avx512-vnni') {
      peak.int8Gops = 4 * peak.fp32Gflops;
      peak.int8Source = 'VNNI: 4 int8 multiply-adds per fp32 FMA lane, × the FMA peak';
    }
  }
  for (const row of out) row.fractionOfPeak = row.gflops / (row.dtype === 'int8' ? peak.int8Gops : peak.fp32Gflops);
  return { peak, kernels: out };
}
