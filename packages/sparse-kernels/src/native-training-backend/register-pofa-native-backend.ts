import { tf } from '@pofa/core';
import { totalmem } from 'node:os';
import { attachPool } from './buffer-pool';
import { addCoreBackendLoader } from './core-backend-loaders';
import { loadNativeAddon } from '../kernels/native-addon';
import { COMPARE_KERNEL_NAMES, createCastKernel, createCompareKernel, createLogicalAndKernel } from './compare-kernels';
import { createBinaryKernel, createSoftmaxKernel, createUnaryKernel, UNARY_OPS } from './elementwise-kernels';
import { createReduceKernel, createTransposeKernel, createUnsortedSegmentSumKernel } from './layout-kernels';
import { createBatchMatMulKernel, createFusedMatMulKernel } from './mat-mul-kernels';
import { fusedKernelFunctions } from './fused-kernels';
import { hasFusedKernelFunctions, hasTrainingKernels, type TrainingAddon } from './training-addon';

/** The tfjs backend name of pofa's native training kernels. */
export const POFA_NATIVE_BACKEND = 'pofa-native';

/** Where `initBackend()` ranks it: above `wasm` (200), below `tensorflow` (300). */
export const POFA_NATIVE_PRIORITY = 250;

type KernelFactory = (addon: TrainingAddon, fallback: tf.KernelFunc) => tf.KernelFunc;

/** The kernels that run on the addon; every other kernel is the `cpu` backend's, shared as is. */
const NATIVE_KERNELS: Record<string, KernelFactory> = {
  [tf.BatchMatMul]: createBatchMatMulKernel,
  [tf._FusedMatMul]: (addon, fallback) => createFusedMatMulKernel(addon, POFA_NATIVE_BACKEND, fallback),
  [tf.Add]: (addon, fallback) => createBinaryKernel(addon, tf.Add, fallback),
  [tf.Sub]: (addon, fallback) => createBinaryKernel(addon, tf.Sub, fallback),
  [tf.Multiply]: (addon, fallback) => createBinaryKernel(addon, tf.Multiply, fallback),
  [tf.RealDiv]: (addon, fallback) => createBinaryKernel(addon, tf.RealDiv, fallback),
  [tf.Softmax]: createSoftmaxKernel,
  [tf.Sum]: (addon, fallback) => createReduceKernel(addon, tf.Sum, fallback),
  [tf.Max]: (addon, fallback) => createReduceKernel(addon, tf.Max, fallback),
  [tf.Transpose]: createTransposeKernel,
  [tf.UnsortedSegmentSum]: (_addon, fallback) => createUnsortedSegmentSumKernel(fallback),
  ...Object.fromEntries(Object.keys(UNARY_OPS).map((name) => [name, (addon: TrainingAddon, fallback: tf.KernelFunc) => createUnaryKernel(addon, name, fallback)])),
  ...Object.fromEntries(COMPARE_KERNEL_NAMES.map((name) => [name, (_addon: TrainingAddon, fallback: tf.KernelFunc) => createCompareKernel(name, fallback)])),
  [tf.LogicalAnd]: (_addon, fallback) => createLogicalAndKernel(fallback),
  [tf.Cast]: (_addon, fallback) => createCastKernel(fallback),
};

/** The names of the kernels `pofa-native` runs natively (the rest are the cpu backend's). */
export const POFA_NATIVE_KERNEL_NAMES: readonly string[] = Object.keys(NATIVE_KERNELS);

let registered = false;

/**
 * How many bytes of disposed kernel outputs the backend keeps for reuse: `POFA_NATIVE_POOL_MB`
 * when set, else an eighth of the machine's memory, at most 4 GiB.
 */
function poolCapacityBytes(): number {
  const fromEnv = Number(process.env.POFA_NATIVE_POOL_MB);
  if (process.env.POFA_NATIVE_POOL_MB !== undefined && Number.isFinite(fromEnv) && fromEnv >= 0) return fromEnv * 2 ** 20;
  return Math.min(totalmem() / 8, 4 * 2 ** 30);
}

function registerKernels(addon: TrainingAddon): void {
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(config.kernelName, POFA_NATIVE_BACKEND) !== undefined) continue;
    const native = NATIVE_KERNELS[config.kernelName];
    tf.registerKernel({
      ...config,
      backendName: POFA_NATIVE_BACKEND,
      kernelFunc: native !== undefined ? native(addon, config.kernelFunc) : config.kernelFunc,
    });
  }
  if (!hasFusedKernelFunctions(addon)) return;
  for (const [kernelName, kernelFunc] of Object.entries(fusedKernelFunctions(addon))) {
    if (tf.getKernel(kernelName, POFA_NATIVE_BACKEND) === undefined) tf.registerKernel({ kernelName, backendName: POFA_NATIVE_BACKEND, kernelFunc });
  }
}

/**
 * Registers the `pofa-native` tfjs backend — tfjs's `cpu` backend (its memory and every kernel)
 * with the hot training kernels (`BatchMatMul`, `_FusedMatMul`, broadcasting
 * `Add`/`Sub`/`Mul`/`RealDiv`, `Softmax`, `Sum`/`Max`, `Transpose`, `UnsortedSegmentSum`,
 * `Erf`/`Exp`/`Log`/`Sqrt`/`Rsqrt`/`Square`/`Neg`, and `@pofa/core`'s fused kernels: softmax
 * cross-entropy, layer normalisation, GELU and AdamW) running in the native addon on its thread
 * pool — and tells `@pofa/core`'s `initBackend()` to prefer it over `wasm`. Returns `false`
 * (registering nothing) when the addon is not built or predates the training kernels.
 * Idempotent.
 *
 * @example
 * ```ts
 * import { initBackend } from '@pofa/core';
 * import { registerPofaNativeBackend } from '@pofa/sparse-kernels';
 * registerPofaNativeBackend();
 * console.log(await initBackend()); // "pofa-native" where the addon loads
 * ```
 */
export function registerPofaNativeBackend(): boolean {
  if (registered) return true;
  const { addon } = loadNativeAddon();
  if (addon === undefined || !hasTrainingKernels(addon)) return false;
  addCoreBackendLoader({
    specificationVersion: 'v1',
    name: POFA_NATIVE_BACKEND,
    priority: POFA_NATIVE_PRIORITY,
    load: async ({ loadBackend }) => {
      // The cpu backend's module registers its kernels and its factory; both are reused here.
      if (!(await loadBackend('cpu'))) return false;
      const cpuFactory = tf.findBackendFactory('cpu');
      if (cpuFactory === null) return false;
      registerKernels(addon);
      // tfjs-level priority stays that of cpu (1): only initBackend() ranks pofa-native above wasm.
      if (tf.findBackendFactory(POFA_NATIVE_BACKEND) === null) {
        const capacity = poolCapacityBytes();
        tf.registerBackend(POFA_NATIVE_BACKEND, async () => {
          const backend = await cpuFactory();
          attachPool(backend, capacity);
          return backend;
        }, 1);
      }
      return true;
    },
  });
  registered = true;
  return true;
}
