import { initBackend } from '@pofa/core';
import { registerPofaNativeBackend } from '@pofa/sparse-kernels';

/**
 * The backend every `pofa` command trains and evaluates on: pofa's native kernels
 * (`pofa-native`) where the addon loads, else `initBackend()`'s order (tensorflow, wasm, cpu);
 * `POFA_BACKEND` still picks one by name. Returns the backend's name.
 *
 * @example
 * ```ts
 * console.log(await initCliBackend()); // 'pofa-native'
 * ```
 */
export async function initCliBackend(): Promise<string> {
  registerPofaNativeBackend();
  return initBackend();
}
