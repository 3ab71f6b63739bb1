// Wraps kernels so that each call's wall time is added up per kernel (a profile of one run).
const TIMED = ['gemm', 'linear', 'feedForward', 'layerNorm', 'gelu', 'addInPlace', 'attention'];

/** Kernels that time every call; `take()` returns the milliseconds per kernel and resets them. */
export function profiledKernels(kernels) {
  const totals = Object.fromEntries(TIMED.map((name) => [name, 0]));
  const wrapped = Object.create(kernels);
  for (const name of TIMED) {
    if (typeof kernels[name] !== 'function') continue;
    wrapped[name] = (...args) => {
      const start = performance.now();
      const out = kernels[name](...args);
      totals[name] += performance.now() - start;
      return out;
    };
  }
  Object.defineProperties(wrapped, { name: { value: kernels.name }, isa: { value: kernels.isa }, threads: { get: () => kernels.threads } });
  return {
    kernels: wrapped,
    take() {
      const out = { ...totals };
      for (const name of TIMED) totals[name] = 0;
      return out;
    },
  };
}
