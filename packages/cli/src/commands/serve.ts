import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import { loadKernels } from '@pofa/sparse-kernels';
import type { Command } from '../cli/command';
import { numberOption } from '../cli/parse-command-line';
import { UsageError } from '../errors/usage-error';
import { createServeApp } from '../serve/serve-app';
import { createServeMetrics } from '../serve/serve-metrics';
import { loadServedModel, parseModelSpec, type ServedModel } from '../serve/served-model';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Resolves when `signal` aborts (never without one). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted === true) done();
    else signal?.addEventListener('abort', () => done(), { once: true });
  });
}

/** Why the system refused to listen, by its code, and what to do. */
const LISTEN_FAILURES: Record<string, (where: string, host: string, port: number) => { received: string; hint: string }> = {
  EADDRINUSE: (where) => ({ received: `${where} is in use by another process`, hint: 'Stop that process, or pick another --port (0: any free port)' }),
  EACCES: (_, __, port) => ({ received: `permission denied for port ${port}`, hint: 'Ports below 1024 need privileges: pick --port 1024 or above' }),
  EADDRNOTAVAIL: (_, host) => ({ received: `${host} is not an address of this machine`, hint: 'Pass an address of this machine as --host (127.0.0.1, 0.0.0.0, ::1, ...)' }),
  ENOTFOUND: (_, host) => ({ received: `no such host: ${host}`, hint: 'Pass an address or a host name that resolves as --host' }),
  EAI_AGAIN: (_, host) => ({ received: `the name ${host} could not be resolved now`, hint: 'Check the name service, or pass an address as --host' }),
};

/** The error of a failed `listen`: a {@link ConfigError} (code POFA_LISTEN) that names the address and why. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const failure = code === undefined ? undefined : LISTEN_FAILURES[code];
  if (failure === undefined) return error;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const { received, hint } = failure(where, host, port);
  return new ConfigError(`pofa serve cannot listen on ${where}`, { expected: 'a free port on an address of this machine', received, hint, code: 'POFA_LISTEN', cause: error });
}

/**
 * `pofa serve MODEL.pofa`: the bundle's pipeline behind HTTP (Fastify) with dynamic batching,
 * JSON schema validation, limits, Prometheus metrics and a graceful stop on SIGTERM / Ctrl-C.
 *
 * @example
 * ```ts
 * await runCli(['serve', 'pofa-out/bundles/sparse-int8.pofa', '--port', '8080'], io, COMMANDS); // until io.signal aborts
 * ```
 */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve .pofa bundles over HTTP: text in, labels or answers out, with dynamic batching',
  usage: 'pofa serve MODEL.pofa [--model NAME=PATH ...] [--port 8080] [--host 127.0.0.1] [--max-batch 32] [--max-wait-ms 5] [--threads N]',
  description: [
    'Loads each bundle (written by pofa compress, pofa transfer or pofa export --format pofa: it holds its',
    'tokenizer, task and label names) and answers POST /v1/predict (the first model) and',
    'POST /v1/models/NAME/predict with JSON:',
    '  classification     {"inputs": "text" | ["text", ...], "parameters": {"topK": 2}} -> {"outputs": [{"label", "score"}]}',
    '  pair               {"inputs": [["text", "pair"], ...]}',
    '  regression         {"inputs": "text" | ["text" or ["text", "pair"], ...]}  -> {"outputs": [{"value"}]}',
    '  question answering {"question": "...", "context": "..."} or {"inputs": [{"question", "context"}, ...]}',
    '                     -> {"outputs": [{"answer", "score", "start", "end"}]}',
    'GET /health, GET /v1/models, GET /metrics (Prometheus: requests, latency, batch sizes, queue length).',
    'Inputs of requests arriving within --max-wait-ms run as one batch of up to --max-batch. A bad request',
    'gets a 4xx with a one-line reason; an internal error a 500 with an id that is in the log (stderr).',
    'SIGTERM or Ctrl-C stops accepting requests and lets the ones in flight finish.',
  ].join('\n'),
  options: {
    model: { type: 'string', value: 'NAME=PATH', description: 'Another bundle to serve under NAME', multiple: true },
    port: { type: 'string', value: 'N', description: 'TCP port (0: any free port)', defaultText: '8080' },
    host: { type: 'string', value: 'HOST', description: 'Address to listen on', defaultText: '127.0.0.1' },
    'max-batch': { type: 'string', value: 'N', description: 'Most inputs per batch', defaultText: '32' },
    'max-wait-ms': { type: 'string', value: 'MS', description: 'How long a request waits for others to batch with', defaultText: '5' },
    threads: { type: 'string', value: 'N', description: 'Threads of the native runtime kernels', defaultText: "the machine's cores" },
    'max-inputs': { type: 'string', value: 'N', description: 'Most inputs in one request', defaultText: '256' },
    'max-input-chars': { type: 'string', value: 'N', description: 'Most characters in one text', defaultText: '100000' },
    'max-body-bytes': { type: 'string', value: 'N', description: 'Largest request body', defaultText: '1048576' },
  },
  positionals: [{ name: 'MODEL.pofa', required: false }],
  async run({ options, positionals, lists }, io) {
    const port = numberOption(options, 'port', { fallback: 8080, min: 0, max: 65535, integer: true }) as number;
    const host = typeof options.host === 'string' ? options.host : '127.0.0.1';
    const maxBatch = numberOption(options, 'max-batch', { fallback: 32, min: 1, max: 4096, integer: true }) as number;
    const maxWaitMs = numberOption(options, 'max-wait-ms', { fallback: 5, min: 0, max: 60_000 }) as number;
    const threads = numberOption(options, 'threads', { min: 1, max: 1024, integer: true });
    const maxInputs = numberOption(options, 'max-inputs', { fallback: 256, min: 1, max: 1_000_000, integer: true }) as number;
    const maxInputChars = numberOption(options, 'max-input-chars', { fallback: 100_000, min: 1, max: 100_000_000, integer: true }) as number;
    const maxBodyBytes = numberOption(options, 'max-body-bytes', { fallback: 1 << 20, min: 64, max: 2 ** 31 - 1, integer: true }) as number;
    const specs = [...positionals.map(parseModelSpec), ...(lists?.model ?? []).map(parseModelSpec)].map((spec) => ({ ...spec, path: resolve(io.cwd, spec.path) }));
    if (specs.length === 0) throw new UsageError('pofa serve needs a bundle', { expected: 'MODEL.pofa or --model NAME=PATH', hint: 'See pofa serve --help' });
    const names = new Set<string>();
    for (const { name } of specs) {
      if (!MODEL_NAME.test(name)) throw new UsageError(`Invalid model name ${JSON.stringify(name)}`, { expected: 'letters, digits, ".", "_" and "-", starting with a letter or digit', hint: 'Name it with --model NAME=PATH' });
      if (names.has(name)) throw new UsageError(`Two models are named ${JSON.stringify(name)}`, { expected: 'one name per model', hint: 'Name them with --model NAME=PATH' });
      names.add(name);
    }
    const kernels = threads === undefined ? undefined : loadKernels({ threads });
    const metrics = createServeMetrics();
    const models: ServedModel[] = [];
    for (const spec of specs) models.push(await loadServedModel(spec, { maxBatch, maxWaitMs, ...(kernels === undefined ? {} : { kernels }) }, metrics));
    const app = createServeApp(models, { maxBodyBytes, maxInputs, maxInputChars, metrics, log: io.stderr });
    try {
      await app.listen({ port, host });
    } catch (error) {
      await app.close();
      await Promise.all(models.map((model) => model.queue.drain()));
      throw listenError(error, host, port);
    }
    const address = app.server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    io.stdout.write(`pofa serve: listening on ${url}\n`);
    for (const [index, model] of models.entries()) {
      const labels = 'labels' in model.task ? ` (${model.task.labels.join(', ')})` : '';
      io.stdout.write(`  ${model.name}: ${model.pipeline}${labels} at POST ${index === 0 ? '/v1/predict and ' : ''}/v1/models/${model.name}/predict\n`);
    }
    await aborted(io.signal);
    io.stdout.write('pofa serve: stopping; requests in flight finish\n');
    await app.close();
    await Promise.all(models.map((model) => model.queue.drain()));
    io.stdout.write('pofa serve: stopped\n');
    return 0;
  },
};
