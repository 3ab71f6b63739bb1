#!/usr/bin/env node
// One pofa process of the transfer benchmark (see transfer-trainer.mjs) on the pofa-native
// backend: trains --steps steps and prints one JSON row with the loss and wall time of every step.
// Usage: node transfer/pofa-steps.mjs --student DIR --batches FILE --batch 8 [--micro 8] --steps 6 --config lock|teacher|qat [--teacher DIR] [--seed 0]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '@pofa/core';
import { sparsityReport } from '@pofa/prune';
import { loadEngines } from '../training-throughput/engines.mjs';
import { createTransferTrainer } from './transfer-trainer.mjs';
import { SEQ } from './workload.mjs';

const { values: args } = parseArgs({
  options: {
    student: { type: 'string' },
    teacher: { type: 'string' },
    batches: { type: 'string' },
    batch: { type: 'string', default: '8' },
    micro: { type: 'string' },
    steps: { type: 'string', default: '6' },
    config: { type: 'string', default: 'lock' },
    seed: { type: 'string', default: '0' },
  },
});
const { models, nativeRegistered, nativeReason } = await loadEngines();
if (!nativeRegistered) throw new Error(`pofa-native is not available: ${nativeReason}`);
const backend = await initBackend({ backend: 'pofa-native' });
const batch = Number(args.batch);
const micro = Number(args.micro ?? args.batch);
const steps = Number(args.steps);
const loaded = performance.now();
const { model, trainer, marks } = await createTransferTrainer({
  models, student: args.student, teacher: args.teacher, batches: args.batches, batchSize: batch, microBatchSize: micro, steps, config: args.config, seed: Number(args.seed),
});
const loadSeconds = (performance.now() - loaded) / 1000;
const summary = await trainer.train();
marks.push(performance.now());
trainer.optimizer.dispose();
console.log(JSON.stringify({
  engine: backend, config: args.config, batch, microBatch: micro, seq: SEQ, steps, threads: os.availableParallelism(), loadSeconds,
  losses: summary.history.map((record) => record.loss), stepSeconds: marks.slice(1).map((mark, index) => (mark - marks[index]) / 1000),
  sparsityAfter: sparsityReport(model).total.sparsity, load: os.loadavg(),
}));
