import type { tf } from '../../tensor/tf';
import type { PluginSpecification } from './plugin-specification';

/**
 * A kernel for a tfjs backend, in the shape of tfjs's `registerKernel` config plus a
 * namespaced `name`, so that a package's kernels can be listed and swapped through the
 * registry. Register it with tfjs by passing it to `tf.registerKernel(kernel)`.
 *
 * @example
 * ```ts
 * const kernel: Kernel = {
 *   specificationVersion: 'v1',
 *   name: 'acme/sparse-matmul-cpu',
 *   kernelName: 'AcmeSparseMatMul',
 *   backendName: 'cpu',
 *   kernelFunc: ({ inputs, backend }) => sparseMatMul(inputs, backend),
 * };
 * ```
 */
export interface Kernel extends PluginSpecification, tf.KernelConfig {}
