// The `pofa-native` tfjs backend: training kernels (matmuls, elementwise, layout, fused ops) on the native addon over the `cpu` backend's storage.
export { registerPofaNativeBackend, POFA_NATIVE_BACKEND, POFA_NATIVE_PRIORITY, POFA_NATIVE_KERNEL_NAMES } from './register-pofa-native-backend';
