import { tf } from '@pofa/core';
import { loadKernels } from '../kernels/load-kernels';
import type { Kernels } from '../kernels/types';
import { SPARSE_MAT_MUL, type SparseMatMulAttributes } from './sparse-mat-mul';

/** The slices of the cpu and wasm backend classes the kernel uses. */
interface CpuBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}
interface WasmBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

function compute(kernels: Kernels, read: (info: tf.TensorInfo) => Float32Array, inputs: tf.NamedTensorInfoMap, attrs: unknown): { shape: number[]; values: Float32Array } {
  const { packed, gelu } = attrs as SparseMatMulAttributes;
  const input = inputs.input as tf.TensorInfo;
  const bias = inputs.bias === undefined ? undefined : read(inputs.bias);
  const tokens = input.shape[0];
  return { shape: [tokens, packed.rows], values: kernels.linear(read(input), tokens, packed, bias, { gelu }) };
}

/** A tfjs kernel config with the name {@link registerSparseMatMulKernels} reports it by. */
export interface SparseMatMulKernel extends tf.KernelConfig {
  /** `pofa/sparse-mat-mul-cpu` or `pofa/sparse-mat-mul-wasm`. */
  readonly name: string;
}

/**
 * The `PofaSparseMatMul` kernels for the `cpu` and `wasm` backends, as tfjs kernel configs,
 * computing with `kernels` (default: {@link loadKernels}). tfjs's kernel registry is where
 * they are looked up: `tf.registerKernel` each one (or call {@link registerSparseMatMulKernels}).
 *
 * @example
 * ```ts
 * for (const kernel of createSparseMatMulKernels()) tf.registerKernel(kernel);
 * ```
 */
export function createSparseMatMulKernels(kernels: Kernels = loadKernels()): SparseMatMulKernel[] {
  const cpu: SparseMatMulKernel = {
    name: 'pofa/sparse-mat-mul-cpu',
    kernelName: SPARSE_MAT_MUL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpuBackend = backend as unknown as CpuBackendLike;
      const read = (info: tf.TensorInfo): Float32Array => cpuBackend.readSync(info.dataId) as Float32Array;
      const { shape, values } = compute(kernels, read, inputs, attrs);
      return cpuBackend.makeTensorInfo(shape, 'float32', values);
    },
  };
  const wasm: SparseMatMulKernel = {
    name: 'pofa/sparse-mat-mul-wasm',
    kernelName: SPARSE_MAT_MUL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasmBackend = backend as unknown as WasmBackendLike;
      const read = (info: tf.TensorInfo): Float32Array => Float32Array.from(wasmBackend.readSync(info.dataId) as Float32Array);
      const { shape, values } = compute(kernels, read, inputs, attrs);
      const out = wasmBackend.makeOutput(shape, 'float32');
      wasmBackend.typedArrayFromHeap(out).set(values);
      return out;
    },
  };
  return [cpu, wasm];
}

/**
 * Registers the `PofaSparseMatMul` kernel with tfjs for `cpu` and `wasm` (skipping a backend
 * that already has it), so that {@link sparseMatMul} runs there. Returns the registered names.
 *
 * @example
 * ```ts
 * registerSparseMatMulKernels({ kernels: loadKernels({ threads: 1 }) });
 * ```
 */
export function registerSparseMatMulKernels(options: { kernels?: Kernels } = {}): string[] {
  const registered: string[] = [];
  for (const kernel of createSparseMatMulKernels(options.kernels)) {
    if (tf.getKernel(kernel.kernelName, kernel.backendName) !== undefined) continue;
    tf.registerKernel(kernel);
    registered.push(kernel.name);
  }
  return registered;
}
