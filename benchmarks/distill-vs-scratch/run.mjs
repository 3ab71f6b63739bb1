#!/usr/bin/env node
// The @pofa/distill acceptance experiment at the sizes, on pofa-native: a bert-tiny-shaped
// student distilled from a bert-mini-shaped teacher (8000 steps) against the same student trained
// without the teacher, same steps, data and initial weights, over 2 seeds; three distillation
// variants (see SCALES.issue in experiment.mjs). Writes
// results/distill-vs-scratch.json.
//   cd benchmarks && node distill-vs-scratch/run.mjs [--studentSteps=400 --seeds=1 --variants='[...]' ...]
// The trained teacher is kept in <repo>/.pofa-cache/distill-teachers/ and reused by later runs
// (training it takes ~55 min on 2 cores; the students ~2 min each).
import { writeFileAtomic } from '@pofa/core';
import { registerPofaNativeBackend } from '@pofa/sparse-kernels';
import { runExperiment } from './experiment.mjs';

const { out, ...rest } = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const overrides = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, Number.isNaN(Number(value)) ? value : Number(value)]));
const backend = registerPofaNativeBackend() ? 'pofa-native' : 'wasm';
const teacherCache = new URL('../../.pofa-cache/distill-teachers', import.meta.url).pathname;
const result = await runExperiment('issue', backend, { teacherCache, ...overrides });
const path = out ?? new URL('../results/distill-vs-scratch.json', import.meta.url).pathname;
await writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
