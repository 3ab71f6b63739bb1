// Loads what the benchmark runs on: @pofa/models (by path: benchmarks/ does not depend on it)
// and the `pofa-native` backend of @pofa/sparse-kernels (registered when its addon loads).
// POFA_BENCH_SPARSE_KERNELS / POFA_BENCH_MODELS point at other builds of those packages.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** { models, nativeRegistered: boolean, nativeReason?: string } */
export async function loadEngines() {
  const models = await import(process.env.POFA_BENCH_MODELS ?? pathToFileURL(join(repository, 'packages', 'models', 'dist', 'index.js')).href);
  const kernels = await import(process.env.POFA_BENCH_SPARSE_KERNELS ?? '@pofa/sparse-kernels');
  if (typeof kernels.registerPofaNativeBackend !== 'function') {
    return { models, nativeRegistered: false, nativeReason: '@pofa/sparse-kernels does not export registerPofaNativeBackend (rebuild it)' };
  }
  const nativeRegistered = kernels.registerPofaNativeBackend();
  return { models, nativeRegistered, nativeReason: nativeRegistered ? undefined : 'the native addon is not built or lacks the training kernels' };
}
