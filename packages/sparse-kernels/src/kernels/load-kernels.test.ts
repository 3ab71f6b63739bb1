import { ConfigError } from '@pofa/core';
import { describe, expect, it, vi } from 'vitest';

describe('loadKernels without the addon', () => {
  it('falls back to the portable kernels with a one-time notice naming why', async () => {
    vi.stubEnv('POFA_SPARSE_KERNELS_ADDON', '/nonexistent/pofa_sparse_kernels.node');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { loadKernels } = await import('./load-kernels');
    expect(loadKernels({ prefer: 'portable' }).name).toBe('portable');
    expect(warn).not.toHaveBeenCalled();
    const first = loadKernels();
    const second = loadKernels({ threads: 2 });
    expect([first.name, first.isa, second.name]).toEqual(['portable', 'portable', 'portable']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('/nonexistent/pofa_sparse_kernels.node');
    expect(first.gemm(new Float32Array([1, 2]), 1, 2, new Float32Array([3, 4]), 1)).toEqual(new Float32Array([11]));
    expect(() => loadKernels({ prefer: 'gpu' as 'native' })).toThrow(ConfigError);
    warn.mockRestore();
    vi.unstubAllEnvs();
  });
});
