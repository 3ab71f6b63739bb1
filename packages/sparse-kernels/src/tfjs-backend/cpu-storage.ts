import type { tf } from '@pofa/core';

/** The slice of tfjs's `MathBackendCPU` the native kernels use: its typed arrays, kept in place. */
export interface CpuStorage {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

/** The float32 values of a tensor on a cpu-memory backend, or `undefined` when it holds another type. */
export function float32Values(backend: unknown, info: tf.TensorInfo): Float32Array | undefined {
  if (info.dtype !== 'float32') return undefined;
  const values = (backend as CpuStorage).data.get(info.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** Wraps a freshly computed Float32Array as the backend's output tensor (no copy). */
export function float32Output(backend: unknown, shape: number[], values: Float32Array): tf.TensorInfo {
  return (backend as CpuStorage).makeTensorInfo(shape, 'float32', values);
}
