#!/usr/bin/env node
// Where a pofa-native transfer step's time goes, kernel by kernel and by shape (the method of
// training-throughput/profile.mjs: every kernel of the backend wrapped with a timer), for the
// checkpoints and batches run.mjs prepared under .pofa-cache/transfer/.
// Usage: node transfer/profile.mjs [--workload padded|full] [--config lock|teacher|qat] [--batch 8] [--micro 16] [--steps 2] [--layers 12] [--hidden 768]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, tf } from '@pofa/core';
import { loadEngines } from '../training-throughput/engines.mjs';
import { createTransferTrainer } from './transfer-trainer.mjs';

const { values: args } = parseArgs({
  options: {
    workload: { type: 'string', default: 'padded' },
    config: { type: 'string', default: 'lock' },
    batch: { type: 'string', default: '8' },
    micro: { type: 'string', default: '16' },
    steps: { type: 'string', default: '2' },
    layers: { type: 'string', default: '12' },
    hidden: { type: 'string', default: '768' },
    top: { type: 'string', default: '25' },
  },
});
const work = new URL(`../../.pofa-cache/transfer/bert-${args.layers}x${args.hidden}`, import.meta.url).pathname;
const backend = 'pofa-native';
const { models } = await loadEngines();
await initBackend({ backend });
const totals = new Map();
const bySize = new Map();
const add = (map, key, ms) => {
  const entry = map.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  map.set(key, entry);
};
for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (kernelArgs) => {
      const start = performance.now();
      const result = inner(kernelArgs);
      const ms = performance.now() - start;
      const shape = (Array.isArray(result) ? result[0] : result)?.shape ?? [];
      const inputs = Object.values(kernelArgs.inputs).map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(' ');
      const attrs = kernelArgs.attrs ?? {};
      const flags = 'transposeA' in attrs ? ` tA=${attrs.transposeA ? 1 : 0} tB=${attrs.transposeB ? 1 : 0}` : '';
      add(totals, config.kernelName, ms);
      add(bySize, `${config.kernelName} ${inputs}${flags} -> [${shape.join(',')}]`, ms);
      return result;
    },
  });
}
const steps = Number(args.steps);
const batchSize = Number(args.batch);
// One warm-up step, then `steps` profiled ones (the marks give each step's wall time).
const { trainer, marks } = await createTransferTrainer({
  models, student: join(work, 'student'), teacher: join(work, 'teacher'), batches: join(work, `${args.workload}-${batchSize}.bin`), batchSize, microBatchSize: Math.min(batchSize, Number(args.micro)), steps: steps + 1, config: args.config,
});
const warm = { first: true };
marks.push = function push(value) {
  if (warm.first && this.length === 1) {
    totals.clear();
    bySize.clear();
    warm.first = false;
  }
  return Array.prototype.push.call(this, value);
};
await trainer.train();
marks.push(performance.now());
const stepMs = (marks.at(-1) - marks[1]) / steps;
const rows = [...totals].map(([kernel, { ms, calls }]) => ({ kernel, ms: ms / steps, calls: calls / steps })).sort((a, b) => b.ms - a.ms);
const inKernels = rows.reduce((sum, row) => sum + row.ms, 0);
console.log(`${backend} ${args.workload} ${args.config} ${args.layers} x ${args.hidden} batch ${batchSize}: ${stepMs.toFixed(0)} ms/step, ${inKernels.toFixed(0)} ms in kernels`);
for (const row of rows.slice(0, Number(args.top))) {
  console.log(`${row.kernel.padEnd(24)} ${row.ms.toFixed(1).padStart(9)} ms ${(100 * row.ms / stepMs).toFixed(1).padStart(5)}%  ${row.calls} calls`);
}
console.log('\nBy input shapes:');
for (const [key, { ms, calls }] of [...bySize].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(args.top))) {
  console.log(`${(ms / steps).toFixed(1).padStart(9)} ms ${(100 * ms / steps / stepMs).toFixed(1).padStart(5)}%  ${calls / steps} calls  ${key}`);
}
