import { ConfigError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { loadKernels } from './load-kernels';
import { loadNativeAddon } from './native-addon';
import { createNativeKernels } from './native-kernels';

const { addon } = loadNativeAddon();

describe.runIf(addon !== undefined)('native kernels', () => {
  it('loadKernels picks the best instruction set the CPU reports and the thread count asked for', () => {
    const kernels = loadKernels({ threads: 1 });
    expect(kernels.name).toBe('native');
    expect(kernels.isa).toBe(addon!.info().supported[0]);
    expect(kernels.threads).toBe(1);
    kernels.setThreads(2);
    expect(kernels.threads).toBe(2);
  });

  it('refuses an instruction set the CPU lacks', () => {
    const missing = (['avx512-vnni', 'avx2'] as const).find((isa) => !addon!.info().supported.includes(isa));
    if (missing !== undefined) expect(() => createNativeKernels(addon!, { isa: missing })).toThrow(ConfigError);
    expect(() => createNativeKernels(addon!, { isa: 'sse9' as 'scalar' })).toThrow(ConfigError);
  });
});
