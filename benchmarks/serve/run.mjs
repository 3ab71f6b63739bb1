#!/usr/bin/env node
// Load benchmark of `pofa serve` (autocannon): throughput and p50/p99 latency at several
// concurrencies for the 90% sparse int8 model served with dynamic batching, the same model served
// without batching (--max-batch 1), and the same model on onnxruntime-node behind the same server
// (fp32, and the int8 weights as a QDQ graph). Each server runs in its own process; autocannon runs in this one.
// Usage: node serve/run.mjs [--layers 12] [--duration 10] [--concurrency 1,8,32] [--threads N] [--max-length 128] [--out DIR]
// Writes results/serve.{json,md}. Needs the built packages (pnpm build).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { prepareServedModel } from './prepare.mjs';
import { serveMarkdown } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    layers: { type: 'string', default: '12' },
    duration: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '1,8,32' },
    threads: { type: 'string' },
    'max-length': { type: 'string', default: '128' },
    out: { type: 'string' },
  },
});
const layers = Number(args.layers);
const duration = Number(args.duration);
const concurrencies = args.concurrency.split(',').map(Number);
const threads = Number(args.threads ?? (os.availableParallelism?.() ?? os.cpus().length));
const outDirectory = args.out ?? join(here, '..', 'results');
const log = (...parts) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

// One review per request (about 40 wordpieces with [CLS] and [SEP]).
const TEXT = 'the movie was very good and the acting was great but the plot was a bit dull and the ending was not fun, the music and the cast were great and it is a good film';
const SERVERS = [
  { name: 'pofa sparse-int8, batching', engine: 'pofa', maxBatch: 32, maxWaitMs: 5 },
  { name: 'pofa sparse-int8, no batching', engine: 'pofa', maxBatch: 1, maxWaitMs: 0 },
  { name: 'onnxruntime-node fp32, batching', engine: 'ort', onnx: 'onnx', maxBatch: 32, maxWaitMs: 5 },
  { name: 'onnxruntime-node int8 (QDQ), batching', engine: 'ort', onnx: 'onnxInt8', maxBatch: 32, maxWaitMs: 5 },
];

function startServer(server, model) {
  const argv = [join(here, 'server.mjs'), '--engine', server.engine, '--bundle', model.bundle, '--onnx', model[server.onnx ?? 'onnx'], '--max-batch', String(server.maxBatch), '--max-wait-ms', String(server.maxWaitMs), '--threads', String(threads)];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const url = /listening on (\S+)/.exec(output)?.[1];
      if (url !== undefined) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`server ${server.name} exited with ${code}`)));
  });
}

function load(url, connections, seconds) {
  return autocannon({
    url: `${url}/v1/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [TEXT] }),
    connections,
    duration: seconds,
  });
}

/** Inputs and batches so far, from the server's Prometheus text. */
async function batchTotals(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => Number(/\S+ (\S+)$/.exec(text.split('\n').find((line) => line.startsWith(name)) ?? '')?.[1] ?? 0);
  return { inputs: value('pofa_batch_size_sum'), batches: value('pofa_batch_size_count') };
}

async function writeReport(report) {
  await mkdir(outDirectory, { recursive: true });
  await writeFile(join(outDirectory, 'serve.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDirectory, 'serve.md'), serveMarkdown(report));
}

const work = await mkdtemp(join(os.tmpdir(), 'pofa-serve-bench-'));
const running = [];
try {
  log(`writing a ${layers} x 768 BERT classifier, 90% sparse, int8 (bundle and ONNX)`);
  const model = await prepareServedModel(work, { layers, maxLength: Number(args['max-length']) });
  // Every server is up (and idle) for the whole run; for each concurrency they take turns, so a
  // change in the machine's load reaches them alike.
  for (const server of SERVERS) {
    running.push({ server, ...(await startServer(server, model)) });
    await load(running.at(-1).url, 1, 2); // warm-up
  }
  const report = { layers, hidden: 768, sparsity: 0.9, int8: true, maxLength: Number(args['max-length']), duration, threads, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, text: TEXT, rows: [] };
  for (const connections of concurrencies) {
    for (const { server, url } of running) {
      const before = await batchTotals(url);
      const result = await load(url, connections, duration);
      const after = await batchTotals(url);
      const row = {
        server: server.name,
        engine: server.engine,
        maxBatch: server.maxBatch,
        concurrency: connections,
        requestsPerSecond: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        meanBatch: (after.inputs - before.inputs) / (after.batches - before.batches),
        loadAverage1m: os.loadavg()[0],
      };
      report.rows.push(row);
      await writeReport(report);
      log(`${server.name} @${connections}: ${row.requestsPerSecond.toFixed(1)} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, load ${row.loadAverage1m.toFixed(2)}`);
    }
  }
  log(`wrote ${join(outDirectory, 'serve.{json,md}')}`);
} finally {
  for (const { child } of running) child.kill('SIGTERM');
  await rm(work, { recursive: true, force: true });
}
