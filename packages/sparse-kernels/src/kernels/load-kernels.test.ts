import { ConfigError } from '@pofa/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('loadKernels without the addon', () => {
  it('falls back to the portable kernels with a one-time, one-line notice naming why', async () => {
    vi.stubEnv('POFA_SPARSE_KERNELS_ADDON', '/nonexistent/pofa_sparse_kernels.node');
    vi.stubEnv('POFA_REQUIRE_NATIVE', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { loadKernels } = await import('./load-kernels');
    expect(loadKernels({ prefer: 'portable' }).name).toBe('portable');
    expect(warn).not.toHaveBeenCalled();
    const first = loadKernels();
    const second = loadKernels({ threads: 2 });
    expect([first.name, first.isa, second.name]).toEqual(['portable', 'portable', 'portable']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).not.toContain('\n');
    expect(String(warn.mock.calls[0][0])).toContain('/nonexistent/pofa_sparse_kernels.node');
    expect(first.gemm(new Float32Array([1, 2]), 1, 2, new Float32Array([3, 4]), 1)).toEqual(new Float32Array([11]));
    expect(() => loadKernels({ prefer: 'gpu' as 'native' })).toThrow(ConfigError);
    warn.mockRestore();
  });

  it('names a file that fails to load in one line', async () => {
    vi.stubEnv('POFA_SPARSE_KERNELS_ADDON', new URL('./load-kernels.ts', import.meta.url).pathname);
    vi.stubEnv('POFA_REQUIRE_NATIVE', '');
    const { loadNativeAddon } = await import('./native-addon');
    const { addon, reason } = loadNativeAddon();
    expect(addon).toBeUndefined();
    expect(reason).toMatch(/load-kernels\.ts failed to load: /);
    expect(reason).not.toContain('\n');
  });

  it('throws a NativeAddonError instead when POFA_REQUIRE_NATIVE=1', async () => {
    vi.stubEnv('POFA_SPARSE_KERNELS_ADDON', '/nonexistent/pofa_sparse_kernels.node');
    vi.stubEnv('POFA_REQUIRE_NATIVE', '1');
    const { loadKernels } = await import('./load-kernels');
    const { NativeAddonError } = await import('./native-addon-error');
    let thrown: unknown;
    try {
      loadKernels();
    } catch (error) {
      thrown = error;
    }
    expect(NativeAddonError.isInstance(thrown)).toBe(true);
    expect((thrown as InstanceType<typeof NativeAddonError>).hint).toContain('POFA_REQUIRE_NATIVE');
  });
});
