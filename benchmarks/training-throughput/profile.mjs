#!/usr/bin/env node
// Where a training step's time goes, kernel by kernel, on one tfjs backend: wraps every kernel
// of the backend with a timer, runs warm-up + measured steps, prints the table.
// Usage: node training-throughput/profile.mjs [--backend pofa-native] [--model bert-mini] [--batch 32] [--seq 128] [--steps 2]
import { parseArgs } from 'node:util';
import { initBackend, tf } from '@pofa/core';
import { createBertStep } from './bert-step.mjs';
import { loadEngines } from './engines.mjs';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'pofa-native' },
    model: { type: 'string', default: 'bert-mini' },
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '128' },
    steps: { type: 'string', default: '2' },
  },
});
const { models } = await loadEngines();
await initBackend({ backend: args.backend });
const totals = new Map();
const bySize = new Map();
for (const config of tf.getKernelsForBackend(args.backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, args.backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (kernelArgs) => {
      const start = performance.now();
      const result = inner(kernelArgs);
      const entry = totals.get(config.kernelName) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - start;
      entry.calls += 1;
      totals.set(config.kernelName, entry);
      const shape = (Array.isArray(result) ? result[0] : result)?.shape ?? [];
      const inputs = Object.values(kernelArgs.inputs).map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(' ');
      const key = `${config.kernelName} ${inputs} -> [${shape.join(', ')}]`;
      const sized = bySize.get(key) ?? { ms: 0, calls: 0 };
      sized.ms += performance.now() - start;
      sized.calls += 1;
      bySize.set(key, sized);
      return result;
    },
  });
}
const runner = createBertStep(models, { model: args.model, batch: Number(args.batch), seq: Number(args.seq) });
runner.step();
totals.clear();
bySize.clear();
const steps = Number(args.steps);
const start = performance.now();
for (let i = 0; i < steps; i++) runner.step();
const stepMs = (performance.now() - start) / steps;
const rows = [...totals].map(([kernel, { ms, calls }]) => ({ kernel, msPerStep: ms / steps, callsPerStep: calls / steps })).sort((a, b) => b.msPerStep - a.msPerStep);
const inKernels = rows.reduce((sum, row) => sum + row.msPerStep, 0);
console.log(`${args.backend} ${args.model} batch ${args.batch} seq ${args.seq}: ${stepMs.toFixed(0)} ms/step, ${inKernels.toFixed(0)} ms in kernels`);
for (const row of rows.slice(0, 25)) {
  console.log(`${row.kernel.padEnd(24)} ${row.msPerStep.toFixed(1).padStart(9)} ms ${(100 * row.msPerStep / stepMs).toFixed(1).padStart(5)}%  ${row.callsPerStep} calls`);
}
console.log('\nBy output shape:');
for (const [key, { ms, calls }] of [...bySize].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  console.log(`${key.padEnd(48)} ${(ms / steps).toFixed(1).padStart(9)} ms  ${calls / steps} calls`);
}
runner.dispose();
