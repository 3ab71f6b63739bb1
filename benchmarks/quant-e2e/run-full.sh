#!/usr/bin/env sh
# The bert-tiny-sized end-to-end run (hidden 128, 2 layers, seq 64, the whole spam training split):
# dense fp32 → 90% magnitude pruning + pattern lock → sparse fine-tuning → PTQ, mixed-precision
# report → QAT; prints the accuracies and the report. The CI test (sparse-qat.test.mjs, in the
# benchmarks' tests) runs the same pipeline at a smaller scale. Expect tens of minutes on 2 cores
# (wasm backend).
set -eu
cd "$(dirname "$0")/.."
POFA_E2E_SCALE=full exec npx vitest run quant-e2e --testTimeout=7200000 --hookTimeout=600000
