#!/usr/bin/env node
// Times masked-LM training steps of one model on one tfjs backend and prints one JSON row.
// run.mjs starts one of these per (engine, model) so that each runs in a fresh process.
// Usage: node step-runner.mjs --backend pofa-native --model bert-mini --batch 32 --seq 128 --steps 3 --warmup 1
import { parseArgs } from 'node:util';
import { initBackend } from '@pofa/core';
import { createBertStep } from './bert-step.mjs';
import { loadEngines } from './engines.mjs';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string' },
    model: { type: 'string', default: 'bert-mini' },
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '128' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
  },
});
const { models, nativeRegistered, nativeReason } = await loadEngines();
if (args.backend === 'pofa-native' && !nativeRegistered) throw new Error(`pofa-native is not available: ${nativeReason}`);
const backend = await initBackend({ backend: args.backend });
const batch = Number(args.batch);
const seq = Number(args.seq);
const runner = createBertStep(models, { model: args.model, batch, seq });
for (let i = 0; i < Number(args.warmup); i++) runner.step();
const steps = Number(args.steps);
const start = performance.now();
let loss = 0;
for (let i = 0; i < steps; i++) loss = runner.step();
const secondsPerStep = (performance.now() - start) / 1000 / steps;
runner.dispose();
const threads = backend === 'pofa-native' ? (await import('node:os')).availableParallelism() : 1;
console.log(JSON.stringify({ engine: backend, model: args.model, batch, seq, threads, tokensPerSecond: (batch * seq) / secondsPerStep, secondsPerStep, steps, loss }));
