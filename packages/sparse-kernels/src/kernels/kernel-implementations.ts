import { loadNativeAddon } from './native-addon';
import { createNativeKernels, type NativeIsa } from './native-kernels';
import { createPortableKernels } from './portable-kernels';
import type { Kernels } from './types';

/**
 * Every kernel implementation this machine can run, by label: the portable kernels and, when
 * the addon loads, the native kernels for each instruction set the CPU supports — what the
 * tests and benchmarks iterate over.
 *
 * @example
 * ```ts
 * for (const [label, kernels] of availableKernelImplementations({ threads: 1 })) console.log(label, kernels.isa);
 * ```
 */
export function availableKernelImplementations(options: { threads?: number } = {}): Array<[string, Kernels]> {
  const implementations: Array<[string, Kernels]> = [['portable', createPortableKernels()]];
  const { addon } = loadNativeAddon();
  if (addon !== undefined) {
    for (const isa of addon.info().supported as NativeIsa[]) {
      implementations.push([`native ${isa}`, createNativeKernels(addon, { isa, threads: options.threads })]);
    }
  }
  return implementations;
}
