import { tf } from '@pofa/core';
import { allocateOutput } from './buffer-pool';
import { float32Output, storedValues, type CpuStorage } from './cpu-storage';
import type { TrainingAddon } from './training-addon';

type KernelFunc = tf.KernelFunc;

interface MatMulOperands {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * `a · b` with tfjs's BatchMatMul semantics (outer dimensions flattened into one batch that the
 * smaller operand repeats) on the native strided GEMM, plus an optional bias of length n.
 * Returns `undefined` when an operand is not float32 (the caller falls back to tfjs's kernel).
 */
export function nativeMatMul(addon: TrainingAddon, backend: unknown, operands: MatMulOperands, bias?: Float32Array): tf.TensorInfo | undefined {
  const { a, b, transposeA, transposeB } = operands;
  const aValues = storedValues(backend, a, 'float32');
  const bValues = storedValues(backend, b, 'float32');
  if (aValues === undefined || bValues === undefined || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const kOfB = transposeB ? bCols : bRows;
  if (k !== kOfB) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kOfB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const batch = Math.max(batchA, batchB);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const out = allocateOutput(backend, batch * m * n);
  // Row-major [rows, cols] matrices: element (i, p) of op(a) is at i·row + p·col.
  addon.gemmStrided(
    batch, m, n, k,
    aValues, batchA, aRows * aCols, transposeA ? 1 : aCols, transposeA ? aCols : 1,
    bValues, batchB, bRows * bCols, transposeB ? 1 : bCols, transposeB ? bCols : 1,
    bias ?? null, out,
  );
  return float32Output(backend, [...outer, m, n], out);
}

/** `BatchMatMul` on the native GEMM; falls back to `fallback` (tfjs's cpu kernel) for other dtypes. */
export function createBatchMatMulKernel(addon: TrainingAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    return nativeMatMul(addon, args.backend, { a, b, transposeA, transposeB }) ?? fallback(args);
  };
}

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
  leakyrelu: tf.LeakyRelu,
  prelu: tf.Prelu,
};

/**
 * `_FusedMatMul` (matmul + bias + activation, what `tf.fused.matMul` and tfjs-layers' Dense
 * call): the GEMM adds a bias of length n in its epilogue; any other bias goes through the
 * backend's `Add`, and the activation through the backend's own activation kernel.
 */
export function createFusedMatMulKernel(addon: TrainingAddon, backendName: string, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as {
      transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number;
    };
    const n = transposeB ? b!.shape[b!.shape.length - 2] : b!.shape[b!.shape.length - 1];
    const biasValues = bias !== undefined ? storedValues(args.backend, bias, 'float32') : undefined;
    const epilogueBias = bias !== undefined && biasValues !== undefined && tf.util.sizeFromShape(bias.shape) === n && bias.shape.length <= 1 ? biasValues : undefined;
    const product = nativeMatMul(addon, args.backend, { a: a!, b: b!, transposeA, transposeB }, epilogueBias);
    if (product === undefined) return fallback(args);
    const storage = args.backend as unknown as CpuStorage;
    const run = (kernelName: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown> = {}) =>
      tf.getKernel(kernelName, backendName)!.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: args.backend }) as tf.TensorInfo;
    let result = product;
    if (bias !== undefined && epilogueBias === undefined) {
      const sum = run(tf.Add, { a: result, b: bias });
      storage.disposeIntermediateTensorInfo(result);
      result = sum;
    }
    if (activation !== undefined && activation !== 'linear') {
      const kernelName = ACTIVATION_KERNELS[activation];
      if (kernelName === undefined) throw new Error(`Activation ${activation} has not been implemented for the pofa-native backend.`);
      const inputs: Record<string, tf.TensorInfo> = activation === 'prelu' ? { x: result, alpha: preluActivationWeights! } : { x: result };
      const activated = run(kernelName, inputs, activation === 'leakyrelu' ? { alpha: leakyreluAlpha ?? 0.2 } : {});
      storage.disposeIntermediateTensorInfo(result);
      result = activated;
    }
    return result;
  };
}
