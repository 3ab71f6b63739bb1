#!/usr/bin/env bash
# Compress the embedded default (spam vs ham), serve its sparse-int8 bundle, ask it over HTTP,
# stop it. Run from the repository root after `pnpm install && pnpm run build`:
#   bash examples/serve-a-bundle/run.sh [SCALE]     (default scale: test, about a minute on 2 cores)
set -euo pipefail
scale="${1:-test}"
out="${OUT:-pofa-out-serve-example}"
pofa="node packages/cli/dist/bin.js"

$pofa compress --scale "$scale" --out "$out"
$pofa serve "$out/bundles/sparse-int8.pofa" --port "${PORT:-8080}" --max-wait-ms 5 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
until curl -sf "localhost:${PORT:-8080}/health" > /dev/null; do sleep 0.2; done

curl -s "localhost:${PORT:-8080}/v1/predict" -H 'content-type: application/json' \
  -d '{"inputs": ["Congratulations, you won a free cruise! Click here to claim it.", "Are we still meeting for lunch tomorrow?"], "parameters": {"topK": 2}}'
echo
curl -s "localhost:${PORT:-8080}/v1/predict" -H 'content-type: application/json' -d '{"inputs": ""}'
echo
curl -s "localhost:${PORT:-8080}/metrics" | grep -E '^pofa_(requests_total|batch_size_(sum|count))'
