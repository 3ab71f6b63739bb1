import type { tf } from '@pofa/core';

/** The slice of tfjs's `MathBackendCPU` the native kernels use: its typed arrays, kept in place. */
export interface CpuStorage {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

/** The typed array a cpu-memory backend holds each dtype the native kernels read in. */
interface StoredArrays {
  float32: Float32Array;
  int32: Int32Array;
}

/** The dtypes the native kernels read in place. */
export type StoredDtype = keyof StoredArrays;

const STORED_ARRAYS: { [D in StoredDtype]: new (length: number) => StoredArrays[D] } = { float32: Float32Array, int32: Int32Array };

/**
 * The values of a `dtype` tensor on a cpu-memory backend, in place; `undefined` when the tensor
 * has another dtype or its values are not that dtype's typed array (for kernels with a fallback).
 */
export function storedValues<D extends StoredDtype>(backend: unknown, info: tf.TensorInfo, dtype: D): StoredArrays[D] | undefined {
  if (info.dtype !== dtype) return undefined;
  const values = (backend as CpuStorage).data.get(info.dataId).values;
  return values instanceof STORED_ARRAYS[dtype] ? values : undefined;
}

/** {@link storedValues}, or an error saying what came instead, for kernels that have no fallback. */
export function requireStoredValues<D extends StoredDtype>(backend: unknown, info: tf.TensorInfo, dtype: D): StoredArrays[D] {
  const values = storedValues(backend, info, dtype);
  if (values !== undefined) return values;
  const held = (backend as CpuStorage).data.get(info.dataId).values;
  const heldAs = typeof held === 'object' && held !== null ? held.constructor.name : String(held);
  throw new Error(`pofa-native: the kernel reads ${dtype} tensors held as ${STORED_ARRAYS[dtype].name}s; it got a ${info.dtype} tensor held as ${heldAs}`);
}

/** Wraps a freshly computed Float32Array as the backend's output tensor (no copy). */
export function float32Output(backend: unknown, shape: number[], values: Float32Array): tf.TensorInfo {
  return (backend as CpuStorage).makeTensorInfo(shape, 'float32', values);
}
