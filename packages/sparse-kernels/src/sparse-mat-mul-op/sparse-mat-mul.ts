import { BackendError, ShapeError, tf } from '@pofa/core';
import type { PackedWeight } from '../formats/packed-weight';

/** The tfjs kernel name of {@link sparseMatMul}. */
export const SPARSE_MAT_MUL = 'PofaSparseMatMul';

/** The attributes the `PofaSparseMatMul` kernel receives. */
export interface SparseMatMulAttributes {
  packed: PackedWeight;
  gelu: boolean;
}

/**
 * `input[tokens, in] · weightᵀ (+ bias)` with a packed (sparse and/or int8) weight, as a tfjs
 * op: it runs the `PofaSparseMatMul` kernel of the active backend, which
 * {@link registerSparseMatMulKernels} registers for `cpu` and `wasm`. Forward only.
 *
 * @example
 * ```ts
 * registerSparseMatMulKernels();
 * const packed = packWeight(weight, 3072, 768, { format: 'block', block: [4, 1] });
 * const hidden = sparseMatMul(tf.tensor2d(input, [tokens, 768]), packed, tf.tensor1d(bias)); // [tokens, 3072]
 * ```
 */
export function sparseMatMul(input: tf.Tensor2D, packed: PackedWeight, bias?: tf.Tensor1D, options: { gelu?: boolean } = {}): tf.Tensor2D {
  if (input.rank !== 2 || input.shape[1] !== packed.cols || input.dtype !== 'float32') {
    throw new ShapeError('sparseMatMul: the input does not fit the weight', {
      expected: `a float32 [tokens, ${packed.cols}] tensor`,
      received: `${input.dtype} [${input.shape.join(', ')}]`,
      hint: 'The weight is [out, in]; the input is [tokens, in]',
    });
  }
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== packed.rows)) {
    throw new ShapeError('sparseMatMul: the bias does not fit the weight', {
      expected: `a [${packed.rows}] tensor`,
      received: `[${bias.shape.join(', ')}]`,
      hint: 'Pass one bias value per output row',
    });
  }
  const backend = tf.getBackend();
  if (tf.getKernel(SPARSE_MAT_MUL, backend) === undefined) {
    throw new BackendError(`sparseMatMul has no kernel for the ${backend} backend`, {
      expected: 'the cpu or wasm backend, with registerSparseMatMulKernels() called',
      received: backend,
      hint: 'Call registerSparseMatMulKernels() after the backend is loaded, or switch to cpu/wasm',
    });
  }
  const inputs: tf.NamedTensorMap = bias === undefined ? { input } : { input, bias };
  const attributes: SparseMatMulAttributes = { packed, gelu: options.gelu === true };
  return tf.engine().runKernel(SPARSE_MAT_MUL, inputs, attributes as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
