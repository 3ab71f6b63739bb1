// Where a forward pass of the pofa runtime spends its time: the kernels it calls, timed call by
// call through a wrapper, plus the embeddings (JavaScript, before the first kernel call) and the
// rest; GELU, fused into the FFN kernel, is timed alone on the FFN intermediate.
import { countZeros } from '@pofa/core';
import { median } from './interleave.mjs';
import { encoderLinearNames } from './random-encoder.mjs';

const TIMED = ['gemm', 'linear', 'feedForward', 'layerNorm', 'gelu', 'addInPlace', 'attention'];

/**
 * Kernels that time every call: `take()` returns the milliseconds per kernel since the last
 * `take()` and, as `firstCallAt`, when the first kernel call of that span started.
 */
export function profiledKernels(kernels) {
  let totals = Object.fromEntries(TIMED.map((name) => [name, 0]));
  let firstCallAt;
  const wrapped = Object.create(kernels);
  for (const name of TIMED) {
    if (typeof kernels[name] !== 'function') continue;
    wrapped[name] = (...args) => {
      const start = performance.now();
      firstCallAt ??= start;
      const out = kernels[name](...args);
      totals[name] += performance.now() - start;
      return out;
    };
  }
  Object.defineProperties(wrapped, { name: { value: kernels.name }, isa: { value: kernels.isa }, threads: { get: () => kernels.threads } });
  return {
    kernels: wrapped,
    take() {
      const out = { ...totals, firstCallAt };
      totals = Object.fromEntries(TIMED.map((name) => [name, 0]));
      firstCallAt = undefined;
      return out;
    },
  };
}

/** Useful multiply-adds × 2 of the encoder Linear weights of a bundle for `tokens` tokens (zeros skipped). */
export function linearFlops(bundle, config, tokens) {
  let kept = 0;
  for (const name of encoderLinearNames(config)) {
    const weight = bundle.tensors.get(name);
    kept += weight.values.length - countZeros(weight.values);
  }
  return 2 * tokens * kept;
}

/**
 * The stages of one forward pass of `runtime` (a runtime on `profiler.kernels`), in ms: Linear
 * layers (Q/K/V and attention output: `linear`; the FFN's two Linears with their fused GELU:
 * `feedForward`), attention, LayerNorm, residual adds, embeddings (word + position + type sums in
 * JavaScript and the input checks, before the first kernel call), and the rest; `geluAlone`: the
 * GELU kernel run by itself over the `[tokens, ffn]` intermediate once per layer (inside the
 * runtime it is fused into the FFN kernel, so this is what it would cost unfused). The pass with the
 * median total of `runs` passes is kept.
 */
export function profileForward(runtime, profiler, inputs, { config, tokens, runs }) {
  const passes = [];
  for (let run = 0; run < runs; run++) {
    profiler.take();
    const start = performance.now();
    runtime.run(inputs);
    const totalMs = performance.now() - start;
    const kernels = profiler.take();
    const known = { linear: kernels.linear + kernels.gemm, feedForward: kernels.feedForward, attention: kernels.attention, layerNorm: kernels.layerNorm, residual: kernels.addInPlace, embeddings: (kernels.firstCallAt ?? start) - start };
    const accounted = Object.values(known).reduce((sum, value) => sum + value, 0);
    passes.push({ totalMs, stages: { ...known, other: Math.max(0, totalMs - accounted) } });
  }
  const middle = median(passes.map((pass) => pass.totalMs));
  const kept = passes.find((pass) => pass.totalMs === middle) ?? passes[0];
  const intermediate = new Float32Array(tokens * config.intermediateSizes[0]).fill(0.5);
  const start = performance.now();
  for (let layer = 0; layer < config.numLayers; layer++) profiler.kernels.gelu(intermediate);
  profiler.take();
  return { ...kept, geluAloneMs: performance.now() - start };
}

/** Attention multiply-adds × 2 of one pass: q·kᵀ and p·v over every head of every layer. */
export function attentionFlops(config, batch, seq) {
  return 4 * batch * config.numHeads * seq * seq * (config.hiddenSize / config.numHeads) * config.numLayers;
}
