import { tf } from './tf';

/** The slice of the wasm backend's class that a JS-side kernel needs. */
interface WasmBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * `UnsortedSegmentSum` for the wasm backend, which does not ship it. The gradient of
 * `tf.gather` (and so of every embedding lookup) needs it.
 */
const unsortedSegmentSumWasm: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    const values = wasm.readSync(x.dataId) as tf.backend_util.TypedArray;
    const ids = wasm.readSync(segmentIds.dataId) as tf.backend_util.TypedArray;
    // Each segment id selects a slice of x made of the trailing dimensions past segmentIds' rank.
    const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
    const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
    const out = wasm.makeOutput(outShape, x.dtype);
    const target = wasm.typedArrayFromHeap(out);
    target.fill(0);
    for (let row = 0; row < ids.length; row++) {
      const segment = ids[row];
      if (segment < 0 || segment >= numSegments) continue; // TensorFlow drops out-of-range ids
      const from = row * inner;
      const to = segment * inner;
      for (let k = 0; k < inner; k++) target[to + k] += values[from + k];
    }
    return out;
  },
};

/** `Erf` for wasm builds that lack it; registered only when missing. */
const erfWasm: tf.KernelConfig = {
  kernelName: tf.Erf,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    const values = wasm.readSync(x.dataId) as tf.backend_util.TypedArray;
    const out = wasm.makeOutput(x.shape, 'float32');
    const target = wasm.typedArrayFromHeap(out);
    for (let i = 0; i < values.length; i++) target[i] = erf(values[i]);
    return out;
  },
};

/**
 * erf(x) to about 1e-7 relative: Cody's rational approximation below 0.5, the Chebyshev-fitted
 * erfc of Numerical Recipes (`erfcc`) above.
 */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a < 0.5) {
    const z = a * a;
    const p = 3.20937758913846947e3 + z * (3.77485237685302021e2 + z * (1.13864154151050156e2 + z * (3.16112374387056560 + z * 1.85777706184603153e-1)));
    const q = 2.84423683343917062e3 + z * (1.28261652607737228e3 + z * (2.44024637934444173e2 + z * (2.36012909523441209e1 + z)));
    return x * p / q;
  }
  if (a > 6) return sign;
  const t = 1 / (1 + 0.5 * a);
  const erfc = t * Math.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return sign * (1 - erfc);
}

/** Marks the BatchMatMul kernel pofa installed, so registration stays idempotent. */
const TRANSPOSING_MARK = Symbol.for('pofa.wasm.batch-mat-mul');

/**
 * tfjs-wasm's `BatchMatMul` is fast only without transposes: with `transposeA` or
 * `transposeB` it runs about ten times slower than an explicit transpose followed by the
 * plain product (measured on 2048×128 · 128×512). Every `Linear` (weights `[out, in]`) and
 * every MatMul gradient asks for a transpose, so this wraps the kernel: transpose the last
 * two dimensions with the backend's own `Transpose`, multiply plainly, free the copies.
 */
function transposingBatchMatMul(original: tf.KernelConfig): tf.KernelConfig {
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  const config: tf.KernelConfig = {
    // Keep the original's setupFunc (it binds the wasm function) and disposeFunc.
    ...original,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      if ((!transposeA && !transposeB) || transpose === undefined) return original.kernelFunc(args);
      const backend = args.backend as unknown as { disposeData(dataId: object): void };
      const inputs = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
      const swapLast = (x: tf.TensorInfo): tf.TensorInfo => {
        const perm = x.shape.map((_, axis) => axis);
        [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
        return transpose.kernelFunc({ inputs: { x } as unknown as tf.NamedTensorInfoMap, attrs: { perm } as unknown as tf.NamedAttrMap, backend: args.backend }) as tf.TensorInfo;
      };
      const a = transposeA ? swapLast(inputs.a) : inputs.a;
      const b = transposeB ? swapLast(inputs.b) : inputs.b;
      const out = original.kernelFunc({
        inputs: { a, b } as unknown as tf.NamedTensorInfoMap,
        attrs: { ...args.attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap,
        backend: args.backend,
      });
      if (transposeA) backend.disposeData(a.dataId);
      if (transposeB) backend.disposeData(b.dataId);
      return out;
    },
  };
  Object.defineProperty(config, TRANSPOSING_MARK, { value: true });
  return config;
}

/**
 * Registers, for the wasm backend, the kernels training needs and the backend lacks, and
 * replaces its slow transposed `BatchMatMul` path. Idempotent; a kernel the backend
 * already has is left alone.
 */
export function registerWasmKernels(): void {
  for (const config of [unsortedSegmentSumWasm, erfWasm]) {
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  const batchMatMul = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (batchMatMul !== undefined && !(TRANSPOSING_MARK in batchMatMul)) {
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel(transposingBatchMatMul(batchMatMul));
  }
}
