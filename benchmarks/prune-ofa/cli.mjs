#!/usr/bin/env node
// node prune-ofa/cli.mjs [--scale tiny|mini|full|smoke] [--out DIR] [--work DIR]
// node prune-ofa/cli.mjs --scale full --teacher HF_DIR [--teacher HF_DIR ...] --glue GLUE_DIR [--squad FILE] [--corpus FILE]
// = pofa reproduce --only prune-ofa, with --out defaulting to benchmarks/results/.
import { runReproduce } from '../shared/run-reproduce.mjs';

process.exitCode = await runReproduce('prune-ofa', process.argv.slice(2));
