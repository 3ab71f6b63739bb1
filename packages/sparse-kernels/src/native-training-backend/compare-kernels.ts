import { tf } from '@pofa/core';
import { allocateOutput } from './buffer-pool';
import { float32Output, storedValues, type CpuStorage } from './cpu-storage';

/** Comparison codes; each loop below is written out per code so V8 compiles it without a call per element. */
const COMPARISONS: Record<string, number> = { [tf.Greater]: 0, [tf.GreaterEqual]: 1, [tf.Less]: 2, [tf.LessEqual]: 3, [tf.Equal]: 4, [tf.NotEqual]: 5 };

/** The code of `b OP a` for `a OP b` (so a single value on the left becomes one on the right). */
const MIRRORED = [2, 3, 0, 1, 4, 5];

function compareArrays(op: number, a: Float32Array, b: Float32Array, out: Uint8Array): void {
  const n = out.length;
  switch (op) {
    case 0: for (let i = 0; i < n; i++) out[i] = a[i] > b[i] ? 1 : 0; break;
    case 1: for (let i = 0; i < n; i++) out[i] = a[i] >= b[i] ? 1 : 0; break;
    case 2: for (let i = 0; i < n; i++) out[i] = a[i] < b[i] ? 1 : 0; break;
    case 3: for (let i = 0; i < n; i++) out[i] = a[i] <= b[i] ? 1 : 0; break;
    case 4: for (let i = 0; i < n; i++) out[i] = a[i] === b[i] ? 1 : 0; break;
    default: for (let i = 0; i < n; i++) out[i] = a[i] !== b[i] ? 1 : 0;
  }
}

function compareToValue(op: number, a: Float32Array, value: number, out: Uint8Array): void {
  const n = out.length;
  switch (op) {
    case 0: for (let i = 0; i < n; i++) out[i] = a[i] > value ? 1 : 0; break;
    case 1: for (let i = 0; i < n; i++) out[i] = a[i] >= value ? 1 : 0; break;
    case 2: for (let i = 0; i < n; i++) out[i] = a[i] < value ? 1 : 0; break;
    case 3: for (let i = 0; i < n; i++) out[i] = a[i] <= value ? 1 : 0; break;
    case 4: for (let i = 0; i < n; i++) out[i] = a[i] === value ? 1 : 0; break;
    default: for (let i = 0; i < n; i++) out[i] = a[i] !== value ? 1 : 0;
  }
}

/** The names of the comparison kernels of {@link createCompareKernel}. */
export const COMPARE_KERNEL_NAMES: readonly string[] = Object.keys(COMPARISONS);

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((extent, index) => extent === b[index]);
const isScalar = (info: tf.TensorInfo): boolean => tf.util.sizeFromShape(info.shape) === 1;

function boolOutput(backend: unknown, shape: number[], values: Uint8Array): tf.TensorInfo {
  return (backend as CpuStorage).makeTensorInfo(shape, 'bool', values);
}

/**
 * A float32 comparison kernel (`Greater`, `GreaterEqual`, `Less`, `LessEqual`, `Equal`,
 * `NotEqual`) for the cases that cost time in training: operands of the same shape, or one of
 * them a single value. The cpu backend's generic kernel computes a broadcast index for every
 * element (~10x slower); other shapes and dtypes go to `fallback`.
 *
 * @example
 * ```ts
 * tf.registerKernel({ kernelName: tf.GreaterEqual, backendName: 'pofa-native', kernelFunc: createCompareKernel(tf.GreaterEqual, cpuKernel) });
 * ```
 */
export function createCompareKernel(kernelName: string, fallback: tf.KernelFunc): tf.KernelFunc {
  const op = COMPARISONS[kernelName];
  return (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const aValues = storedValues(args.backend, a, 'float32');
    const bValues = storedValues(args.backend, b, 'float32');
    if (aValues === undefined || bValues === undefined) return fallback(args);
    if (sameShape(a.shape, b.shape)) {
      const out = new Uint8Array(aValues.length);
      compareArrays(op, aValues, bValues, out);
      return boolOutput(args.backend, [...a.shape], out);
    }
    if (isScalar(b) && b.shape.length <= a.shape.length) {
      const out = new Uint8Array(aValues.length);
      compareToValue(op, aValues, bValues[0], out);
      return boolOutput(args.backend, [...a.shape], out);
    }
    if (isScalar(a) && a.shape.length <= b.shape.length) {
      const out = new Uint8Array(bValues.length);
      compareToValue(MIRRORED[op], bValues, aValues[0], out);
      return boolOutput(args.backend, [...b.shape], out);
    }
    return fallback(args);
  };
}

/**
 * `LogicalAnd` of two bool tensors of the same shape in one loop; other shapes go to `fallback`.
 *
 * @example
 * ```ts
 * tf.registerKernel({ kernelName: tf.LogicalAnd, backendName: 'pofa-native', kernelFunc: createLogicalAndKernel(cpuKernel) });
 * ```
 */
export function createLogicalAndKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const storage = (args.backend as CpuStorage).data;
    const aValues = storage.get(a.dataId).values;
    const bValues = storage.get(b.dataId).values;
    if (a.dtype !== 'bool' || b.dtype !== 'bool' || !(aValues instanceof Uint8Array) || !(bValues instanceof Uint8Array) || !sameShape(a.shape, b.shape)) return fallback(args);
    const out = new Uint8Array(aValues.length);
    for (let i = 0; i < out.length; i++) out[i] = aValues[i] !== 0 && bValues[i] !== 0 ? 1 : 0;
    return boolOutput(args.backend, [...a.shape], out);
  };
}

/**
 * `Cast` to float32 that always stores a `Float32Array`: the cpu backend keeps a cast bool
 * tensor's `Uint8Array` under the float32 dtype, which every native float32 kernel then refuses
 * (a pruning mask `cast(notEqual(w, 0), 'float32')` sent each `weight × mask` to the slow generic
 * kernel). Other casts go to `fallback`.
 *
 * @example
 * ```ts
 * tf.registerKernel({ kernelName: tf.Cast, backendName: 'pofa-native', kernelFunc: createCastKernel(cpuKernel) });
 * ```
 */
export function createCastKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    const values = (args.backend as CpuStorage).data.get(x.dataId).values;
    const convertible = values instanceof Uint8Array || values instanceof Int32Array;
    if (dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32') || !convertible) return fallback(args);
    const out = allocateOutput(args.backend, values.length);
    out.set(values);
    return float32Output(args.backend, [...x.shape], out);
  };
}
