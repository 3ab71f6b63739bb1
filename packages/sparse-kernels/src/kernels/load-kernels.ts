import { ConfigError } from '@pofa/core';
import { z } from 'zod';
import { loadNativeAddon } from './native-addon';
import { createNativeKernels } from './native-kernels';
import { createPortableKernels } from './portable-kernels';
import type { Kernels } from './types';

/** Options of {@link loadKernels}. */
export const LoadKernelsOptionsSchema = z
  .object({
    /** `'native'` (default): the addon when it loads, else the portable kernels with a notice. */
    prefer: z.enum(['native', 'portable']).default('native'),
    /** Threads for the native kernels; default: the machine's cores. */
    threads: z.number().int().positive().optional(),
    /** Force a native instruction set (tests, benchmarks); default: the best the CPU has. */
    isa: z.enum(['avx512-vnni', 'avx2', 'scalar']).optional(),
  })
  .strict();

export type LoadKernelsOptions = z.input<typeof LoadKernelsOptionsSchema>;

let warned = false;

/**
 * The kernels to run on: the native addon (AVX-512 VNNI / AVX2 / scalar picked at run time)
 * when it loads, otherwise the portable TypeScript kernels, with a one-time `console.warn`
 * saying why in one line. `prefer: 'portable'` skips the addon silently. With
 * `POFA_REQUIRE_NATIVE=1` a missing addon throws a `NativeAddonError` instead.
 *
 * @example
 * ```ts
 * const kernels = loadKernels({ threads: 1 });
 * console.log(kernels.name, kernels.isa); // "native" "avx512-vnni" on a recent x86 server
 * ```
 */
export function loadKernels(options: LoadKernelsOptions = {}): Kernels {
  const parsed = LoadKernelsOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid loadKernels options', {
      expected: "{ prefer?: 'native' | 'portable', threads?: positive integer, isa?: 'avx512-vnni' | 'avx2' | 'scalar' }",
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
      hint: 'Fix the options listed above',
    });
  }
  const { prefer, threads, isa } = parsed.data;
  if (prefer === 'portable') return createPortableKernels();
  const { addon, reason } = loadNativeAddon();
  if (addon !== undefined) return createNativeKernels(addon, { isa, threads });
  if (!warned) {
    warned = true;
    console.warn(`@pofa/sparse-kernels: using the portable TypeScript kernels because ${reason}.`);
  }
  return createPortableKernels();
}
