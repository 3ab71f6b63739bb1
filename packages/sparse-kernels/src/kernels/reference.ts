import { unpackWeight } from '../formats/unpack-weight';
import type { PackedWeight } from '../formats/packed-weight';
import { gelu as geluScalar } from './erf';
import { dequantizeAccumulator, quantizeActivations } from './quantize-activations';
import type { AttentionOptions, Kernels, LinearOptions } from './types';

/**
 * The int8 weight as dense integers plus its scales: the packed weight unpacked with unit scales.
 */
function denseInt8(weight: PackedWeight): { integers: Float32Array; scales: Float32Array } {
  const ones = new Float32Array(weight.rows).fill(1);
  return { integers: unpackWeight({ ...weight, scales: ones }), scales: weight.scales! };
}

function referenceLinear(input: Float32Array, tokens: number, weight: PackedWeight, bias?: Float32Array, options: LinearOptions = {}): Float32Array {
  const { rows, cols } = weight;
  const out = new Float32Array(tokens * rows);
  if (weight.dtype === 'int8') {
    const { integers, scales } = denseInt8(weight);
    const quantized = quantizeActivations(input, tokens, cols, options.activation);
    for (let o = 0; o < rows; o++) {
      let rowSum = 0;
      for (let c = 0; c < cols; c++) rowSum += integers[o * cols + c];
      for (let t = 0; t < tokens; t++) {
        let acc = 0;
        for (let c = 0; c < cols; c++) acc += quantized.values[t * cols + c] * integers[o * cols + c];
        out[t * rows + o] = dequantizeAccumulator(acc, quantized.zeroPoints[t], rowSum, quantized.scales[t], scales[o], bias?.[o] ?? 0);
      }
    }
  } else {
    const dense = unpackWeight(weight);
    for (let t = 0; t < tokens; t++) {
      for (let o = 0; o < rows; o++) {
        let sum = bias?.[o] ?? 0;
        for (let c = 0; c < cols; c++) sum += input[t * cols + c] * dense[o * cols + c];
        out[t * rows + o] = sum;
      }
    }
  }
  if (options.gelu) for (let i = 0; i < out.length; i++) out[i] = geluScalar(out[i]);
  return out;
}

function referenceAttention(q: Float32Array, k: Float32Array, v: Float32Array, options: AttentionOptions): Float32Array {
  const { batch, seq, heads, headDim, mask } = options;
  const width = heads * headDim;
  const stride = options.stride ?? width;
  const out = new Float32Array(batch * seq * width);
  const scores = new Float64Array(seq);
  for (let b = 0; b < batch; b++) {
    let anyKey = false;
    for (let j = 0; j < seq; j++) if (mask === undefined || mask[b * seq + j] !== 0) anyKey = true;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < seq; i++) {
        let max = -Infinity;
        for (let j = 0; j < seq; j++) {
          const attends = !anyKey || mask === undefined || mask[b * seq + j] !== 0;
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q[(b * seq + i) * stride + h * headDim + d] * k[(b * seq + j) * stride + h * headDim + d];
          scores[j] = attends ? dot / Math.sqrt(headDim) : -Infinity;
          max = Math.max(max, scores[j]);
        }
        let total = 0;
        for (let j = 0; j < seq; j++) total += scores[j] = Math.exp(scores[j] - max);
        for (let d = 0; d < headDim; d++) {
          let sum = 0;
          for (let j = 0; j < seq; j++) sum += (scores[j] / total) * v[(b * seq + j) * stride + h * headDim + d];
          out[(b * seq + i) * width + h * headDim + d] = sum;
        }
      }
    }
  }
  return out;
}

/**
 * Naive, obviously-correct implementations of every kernel (float64 accumulation, no blocking),
 * the expectation the native and portable kernels are tested against. Slow: for tests only.
 *
 * @example
 * ```ts
 * const expected = referenceKernels.linear(input, 3, packWeight(weight, 5, 7, { format: 'csr' }));
 * ```
 */
export const referenceKernels: Kernels = {
  name: 'reference',
  isa: 'portable',
  threads: 1,
  setThreads: () => undefined,
  gemm(a, m, k, bTransposed, n, bias, out = new Float32Array(m * n)) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias?.[j] ?? 0;
        for (let p = 0; p < k; p++) sum += a[i * k + p] * bTransposed[j * k + p];
        out[i * n + j] = sum;
      }
    }
    return out;
  },
  linear: referenceLinear,
  layerNorm(x, rows, cols, gamma, beta, eps, out = new Float32Array(rows * cols)) {
    for (let r = 0; r < rows; r++) {
      let mean = 0;
      for (let c = 0; c < cols; c++) mean += x[r * cols + c] / cols;
      let variance = 0;
      for (let c = 0; c < cols; c++) variance += (x[r * cols + c] - mean) ** 2 / cols;
      for (let c = 0; c < cols; c++) out[r * cols + c] = ((x[r * cols + c] - mean) / Math.sqrt(variance + eps)) * gamma[c] + beta[c];
    }
    return out;
  },
  gelu(x) {
    for (let i = 0; i < x.length; i++) x[i] = geluScalar(x[i]);
    return x;
  },
  addInPlace(a, b) {
    for (let i = 0; i < a.length; i++) a[i] += b[i];
    return a;
  },
  attention: referenceAttention,
};
