#!/usr/bin/env node
// node ofa/cli.mjs [--scale tiny|mini|smoke] [--out DIR] [--work DIR]
// = pofa reproduce --only ofa, with --out defaulting to benchmarks/results/.
import { runReproduce } from '../shared/run-reproduce.mjs';

process.exitCode = await runReproduce('ofa', process.argv.slice(2));
