import type { PackedWeight } from '../formats/packed-weight';
import { gelu as geluScalar } from './erf';
import { prepareCsr } from './prepare-weight';
import { dequantizeAccumulator, quantizeActivations } from './quantize-activations';
import type { AttentionOptions, Kernels, LinearOptions } from './types';
import { checkAttention, checkGemm, checkLength, checkLinear } from './validate-arguments';

function gemm(a: Float32Array, m: number, k: number, bTransposed: Float32Array, n: number, bias?: Float32Array, out: Float32Array = new Float32Array(m * n)): Float32Array {
  checkGemm(a, m, k, bTransposed, n, bias, out);
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    let j = 0;
    // Four output columns at once: each loaded activation serves four products.
    for (; j + 4 <= n; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      for (let p = 0; p < k; p++) {
        const x = a[aRow + p];
        s0 += x * bTransposed[b0 + p];
        s1 += x * bTransposed[b1 + p];
        s2 += x * bTransposed[b2 + p];
        s3 += x * bTransposed[b3 + p];
      }
      out[i * n + j] = s0 + (bias?.[j] ?? 0);
      out[i * n + j + 1] = s1 + (bias?.[j + 1] ?? 0);
      out[i * n + j + 2] = s2 + (bias?.[j + 2] ?? 0);
      out[i * n + j + 3] = s3 + (bias?.[j + 3] ?? 0);
    }
    for (; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[aRow + p] * bTransposed[j * k + p];
      out[i * n + j] = sum + (bias?.[j] ?? 0);
    }
  }
  return out;
}

function linear(input: Float32Array, tokens: number, weight: PackedWeight, bias?: Float32Array, options: LinearOptions = {}): Float32Array {
  checkLinear(input, tokens, weight, bias, options.out);
  const { rows, cols } = weight;
  const out = options.out ?? new Float32Array(tokens * rows);
  if (weight.dtype === 'float32' && weight.format === 'dense') {
    gemm(input, tokens, cols, weight.values as Float32Array, rows, bias, out);
  } else {
    const csr = prepareCsr(weight);
    if (weight.dtype === 'int8') {
      const quantized = quantizeActivations(input, tokens, cols, options.activation);
      const q = quantized.values;
      for (let t = 0; t < tokens; t++) {
        const base = t * cols;
        for (let o = 0; o < rows; o++) {
          let acc = 0;
          for (let i = csr.rowPointers[o]; i < csr.rowPointers[o + 1]; i++) acc += q[base + csr.columnIndices[i]] * csr.values[i];
          out[t * rows + o] = dequantizeAccumulator(acc, quantized.zeroPoints[t], csr.rowSums[o], quantized.scales[t], weight.scales![o], bias?.[o] ?? 0);
        }
      }
    } else {
      for (let t = 0; t < tokens; t++) {
        const base = t * cols;
        for (let o = 0; o < rows; o++) {
          let sum = 0;
          for (let i = csr.rowPointers[o]; i < csr.rowPointers[o + 1]; i++) sum += input[base + csr.columnIndices[i]] * csr.values[i];
          out[t * rows + o] = sum + (bias?.[o] ?? 0);
        }
      }
    }
  }
  if (options.gelu) for (let i = 0; i < out.length; i++) out[i] = geluScalar(out[i]);
  return out;
}

function layerNorm(x: Float32Array, rows: number, cols: number, gamma: Float32Array, beta: Float32Array, eps: number, out = new Float32Array(rows * cols)): Float32Array {
  checkLength('layerNorm: x', x, rows * cols, 'x is [rows, cols]');
  checkLength('layerNorm: gamma', gamma, cols, 'gamma has one value per column');
  checkLength('layerNorm: beta', beta, cols, 'beta has one value per column');
  checkLength('layerNorm: out', out, rows * cols, 'out is [rows, cols]');
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += x[base + c];
    const mean = sum / cols;
    let squares = 0;
    for (let c = 0; c < cols; c++) squares += (x[base + c] - mean) ** 2;
    const inverse = 1 / Math.sqrt(squares / cols + eps);
    for (let c = 0; c < cols; c++) out[base + c] = (x[base + c] - mean) * inverse * gamma[c] + beta[c];
  }
  return out;
}

function attention(q: Float32Array, k: Float32Array, v: Float32Array, options: AttentionOptions): Float32Array {
  const stride = checkAttention(q, k, v, options);
  const { batch, seq, heads, headDim, mask } = options;
  const width = heads * headDim;
  const out = options.out ?? new Float32Array(batch * seq * width);
  out.fill(0);
  const probabilities = new Float64Array(seq);
  const scale = 1 / Math.sqrt(headDim);
  for (let b = 0; b < batch; b++) {
    let anyKey = mask === undefined;
    for (let j = 0; j < seq && !anyKey; j++) anyKey = mask![b * seq + j] !== 0;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < seq; i++) {
        const qBase = (b * seq + i) * stride + h * headDim;
        const outBase = (b * seq + i) * width + h * headDim;
        let max = -Infinity;
        for (let j = 0; j < seq; j++) {
          if (anyKey && mask !== undefined && mask[b * seq + j] === 0) {
            probabilities[j] = -Infinity;
            continue;
          }
          const kBase = (b * seq + j) * stride + h * headDim;
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q[qBase + d] * k[kBase + d];
          probabilities[j] = dot * scale;
          if (probabilities[j] > max) max = probabilities[j];
        }
        let total = 0;
        for (let j = 0; j < seq; j++) total += probabilities[j] = Math.exp(probabilities[j] - max);
        for (let j = 0; j < seq; j++) {
          const weight = probabilities[j] / total;
          if (weight === 0) continue;
          const vBase = (b * seq + j) * stride + h * headDim;
          for (let d = 0; d < headDim; d++) out[outBase + d] += weight * v[vBase + d];
        }
      }
    }
  }
  return out;
}

/**
 * The kernels in plain TypeScript (single-threaded; sparse weights run as CSR, int8 with exact
 * integer accumulation). Used when the native addon cannot load; {@link loadKernels} picks it.
 *
 * @example
 * ```ts
 * const kernels = createPortableKernels();
 * kernels.gemm(new Float32Array([1, 2]), 1, 2, new Float32Array([3, 4]), 1); // Float32Array [11]
 * ```
 */
export function createPortableKernels(): Kernels {
  return {
    name: 'portable',
    isa: 'portable',
    threads: 1,
    setThreads: () => undefined,
    gemm,
    linear,
    layerNorm,
    gelu(x) {
      for (let i = 0; i < x.length; i++) x[i] = geluScalar(x[i]);
      return x;
    },
    addInPlace(a, b) {
      checkLength('addInPlace: b', b, a.length, 'a and b have the same size');
      for (let i = 0; i < a.length; i++) a[i] += b[i];
      return a;
    },
    attention,
  };
}
