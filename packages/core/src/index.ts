export * from './errors/index';
export { tf, type Tensor, type Variable } from './tensor/tf';
export { initBackend, availableBackends, BACKEND_NAMES, type BackendName, type InitBackendOptions } from './tensor/backend';
export { registerWasmKernels } from './tensor/wasm-kernels';
export { createRandom, type Random, type RandomState } from './random';
export * from './nn/index';
export type { Modifier, ModifierContext, LossContext, ModifierState } from './lifecycle/modifier';
export { writeFileAtomic } from './io/atomic-write';
