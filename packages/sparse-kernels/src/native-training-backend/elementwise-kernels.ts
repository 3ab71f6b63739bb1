import { tf } from '@pofa/core';
import { allocateOutput } from './buffer-pool';
import { float32Output, storedValues } from './cpu-storage';
import type { TrainingAddon } from './training-addon';

/** The addon's codes of the binary operations (`binary()` in `native/training-body.inc`). */
export const BINARY_OPS = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 } as Record<string, number>;

const MAX_RANK = 6;

/**
 * The output shape and each operand's element strides (0 where it broadcasts) of a
 * broadcasting binary operation, with neighbouring dimensions merged where both operands
 * allow it; `undefined` when more than {@link MAX_RANK} dimensions remain.
 *
 * @example
 * ```ts
 * broadcastLayout([2, 3, 4], [4]); // { shape: [6, 4], aStrides: [4, 1], bStrides: [0, 1] }
 * ```
 */
export function broadcastLayout(aShape: number[], bShape: number[]): { shape: number[]; aStrides: number[]; bStrides: number[] } | undefined {
  const full = tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape);
  const stridesOf = (shape: number[]) => {
    const strides = new Array<number>(full.length).fill(0);
    let stride = 1;
    for (let d = 1; d <= shape.length; d++) {
      const size = shape[shape.length - d];
      strides[full.length - d] = size === 1 ? 0 : stride;
      stride *= size;
    }
    return strides;
  };
  const fullA = stridesOf(aShape);
  const fullB = stridesOf(bShape);
  const shape: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let d = 0; d < full.length; d++) {
    if (full[d] === 1) continue;
    const last = shape.length - 1;
    // A dimension merges into the previous one when, for both operands, stepping the previous
    // dimension once equals stepping this one over its whole extent.
    if (last >= 0 && aStrides[last] === fullA[d] * full[d] && bStrides[last] === fullB[d] * full[d]) {
      shape[last] *= full[d];
      aStrides[last] = fullA[d];
      bStrides[last] = fullB[d];
    } else {
      shape.push(full[d]);
      aStrides.push(fullA[d]);
      bStrides.push(fullB[d]);
    }
  }
  if (shape.length > MAX_RANK) return undefined;
  return { shape, aStrides, bStrides };
}

/** A broadcasting float32 binary kernel on the addon; other dtypes go to `fallback`. */
export function createBinaryKernel(addon: TrainingAddon, kernelName: string, fallback: tf.KernelFunc): tf.KernelFunc {
  const op = BINARY_OPS[kernelName];
  return (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const aValues = storedValues(args.backend, a, 'float32');
    const bValues = storedValues(args.backend, b, 'float32');
    if (aValues === undefined || bValues === undefined) return fallback(args);
    const layout = broadcastLayout(a.shape, b.shape);
    if (layout === undefined) return fallback(args);
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = allocateOutput(args.backend, tf.util.sizeFromShape(outShape));
    if (out.length > 0) addon.binary(op, Float64Array.from([...layout.shape, ...layout.aStrides, ...layout.bStrides]), aValues, bValues, out);
    return float32Output(args.backend, outShape, out);
  };
}

/** The addon's codes of the unary operations (`unary()` in `native/training-body.inc`). */
export const UNARY_OPS = { [tf.Erf]: 0, [tf.Exp]: 1, [tf.Log]: 2, [tf.Sqrt]: 3, [tf.Rsqrt]: 4, [tf.Square]: 5, [tf.Neg]: 6 } as Record<string, number>;

/** A float32 unary kernel (`Erf`, `Exp`, `Log`, `Sqrt`, `Rsqrt`, `Square`, `Neg`) on the addon. */
export function createUnaryKernel(addon: TrainingAddon, kernelName: string, fallback: tf.KernelFunc): tf.KernelFunc {
  const op = UNARY_OPS[kernelName];
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const values = storedValues(args.backend, x, 'float32');
    if (values === undefined) return fallback(args);
    const out = allocateOutput(args.backend, values.length);
    addon.unary(op, values, out);
    return float32Output(args.backend, x.shape, out);
  };
}

/** `Softmax` over the last axis on the addon. */
export function createSoftmaxKernel(addon: TrainingAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { logits } = args.inputs as unknown as { logits: tf.TensorInfo };
    const { dim } = args.attrs as unknown as { dim: number };
    const values = storedValues(args.backend, logits, 'float32');
    const rank = logits.shape.length;
    if (values === undefined || rank === 0 || (dim !== -1 && dim !== rank - 1)) return fallback(args);
    const cols = logits.shape[rank - 1];
    const out = allocateOutput(args.backend, values.length);
    if (cols > 0) addon.softmax(values, values.length / cols, cols, false, out);
    return float32Output(args.backend, logits.shape, out);
  };
}
