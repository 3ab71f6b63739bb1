import { tf } from '@pofa/core';
import { allocateOutput } from './buffer-pool';
import { float32Output, storedValues, type CpuStorage } from './cpu-storage';
import type { TrainingAddon } from './training-addon';

/** The addon's `binary()` code that copies its first operand through arbitrary strides. */
const STRIDED_COPY = 4;

/**
 * The output shape and input strides of a transpose by `perm`, with output dimensions that
 * stay contiguous in the input merged.
 *
 * @example
 * ```ts
 * transposeLayout([2, 3, 4, 5], [0, 2, 1, 3]); // { shape: [2, 4, 3, 5], strides: [60, 5, 20, 1] }
 * ```
 */
export function transposeLayout(shape: number[], perm: number[]): { shape: number[]; strides: number[] } {
  const inputStrides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    inputStrides[d] = stride;
    stride *= shape[d];
  }
  const outShape: number[] = [];
  const strides: number[] = [];
  for (const axis of perm) {
    if (shape[axis] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides[last] === inputStrides[axis] * shape[axis]) {
      outShape[last] *= shape[axis];
      strides[last] = inputStrides[axis];
    } else {
      outShape.push(shape[axis]);
      strides.push(inputStrides[axis]);
    }
  }
  return { shape: outShape, strides };
}

/** `Transpose` of float32 tensors as a strided copy on the addon (up to 6 merged dimensions). */
export function createTransposeKernel(addon: TrainingAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    const values = storedValues(args.backend, x, 'float32');
    const layout = transposeLayout(x.shape, perm);
    if (values === undefined || layout.shape.length > 6) return fallback(args);
    const out = allocateOutput(args.backend, values.length);
    const zeros = layout.strides.map(() => 0);
    if (out.length > 0) addon.binary(STRIDED_COPY, Float64Array.from([...layout.shape, ...layout.strides, ...zeros]), values, values, out);
    return float32Output(args.backend, perm.map((axis) => x.shape[axis]), out);
  };
}

/**
 * `UnsortedSegmentSum` (the gradient of `tf.gather`, so of every embedding lookup) as one pass
 * over the rows; tfjs's cpu kernel builds a mask per segment, which is quadratic in the vocabulary.
 * Out-of-range ids are dropped, as TensorFlow does.
 */
export function createUnsortedSegmentSumKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, segmentIds } = args.inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = args.attrs as unknown as { numSegments: number };
    const values = storedValues(args.backend, x, 'float32');
    const ids = (args.backend as unknown as CpuStorage).data.get(segmentIds.dataId).values;
    if (values === undefined || !(ids instanceof Int32Array || ids instanceof Float32Array)) return fallback(args);
    const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
    const out = allocateOutput(args.backend, numSegments * inner).fill(0);
    for (let row = 0; row < ids.length; row++) {
      const segment = ids[row];
      if (segment < 0 || segment >= numSegments) continue;
      const from = row * inner;
      const to = segment * inner;
      for (let k = 0; k < inner; k++) out[to + k] += values[from + k];
    }
    return float32Output(args.backend, [numSegments, ...x.shape.slice(segmentIds.shape.length)], out);
  };
}

const REDUCE_OPS: Record<string, number> = { [tf.Sum]: 0, [tf.Max]: 1 };

/**
 * `Sum` and `Max` of float32 tensors over contiguous axes (trailing, leading or a middle run)
 * on the addon; other axis sets go to tfjs's cpu kernel.
 */
export function createReduceKernel(addon: TrainingAddon, kernelName: string, fallback: tf.KernelFunc): tf.KernelFunc {
  const op = REDUCE_OPS[kernelName];
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const attrs = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
    const values = storedValues(args.backend, x, 'float32');
    if (values === undefined) return fallback(args);
    const axes = tf.util.parseAxisParam(attrs.axis ?? attrs.reductionIndices ?? [], x.shape).sort((a, b) => a - b);
    if (axes.length === 0 || axes.some((axis, i) => i > 0 && axis !== axes[i - 1] + 1)) return fallback(args);
    if (op === 1 && axes.some((axis) => x.shape[axis] === 0)) return fallback(args);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
    const middle = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = tf.util.sizeFromShape(x.shape.slice(last + 1));
    const out = allocateOutput(args.backend, outer * inner);
    if (out.length > 0) addon.reduce(op, values, outer, middle, inner, out);
    const shape = attrs.keepDims ? x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size)) : x.shape.filter((_, axis) => !axes.includes(axis));
    return float32Output(args.backend, shape, out);
  };
}
