import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import type { Command, OptionValues } from '../cli/command';
import { numberOption } from '../cli/parse-command-line';
import { UsageError } from '../errors/usage-error';
import { initCliBackend } from '../pipeline/backend';
import type { StageJobData } from '../queue/grid-flows';
import { parseQueueUrl, parseStoreUrl, type RedisLocation, type StoreLocation } from '../queue/queue-url';
import { bucketStore } from '../queue/s3-stage-runner';
import { runStageWorker, type StageRunner } from '../queue/stage-worker';
import { runQueuedPruneOfaStage } from '../reproduce/prune-ofa-queue';
import { runQueuedSweepStage } from '../sweep/sweep-queue';

/** A value read by `read`, whose `ConfigError` becomes a {@link UsageError}: on the command line, a bad URL is a usage mistake. */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (ConfigError.isInstance(error)) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `--queue` of a command line, read ({@link parseQueueUrl}); undefined when absent. A malformed
 * URL is a {@link UsageError}.
 *
 * @example
 * ```ts
 * queueOption({ queue: 'redis://127.0.0.1:6379' })?.port; // 6379
 * ```
 */
export function queueOption(options: OptionValues): RedisLocation | undefined {
  const { queue } = options;
  if (queue === undefined) return undefined;
  return asUsage(() => parseQueueUrl(String(queue)));
}

/**
 * `--store` of a command line, read ({@link parseStoreUrl}): a folder (`file:///…`) or an S3
 * bucket (`s3://…`); undefined when absent. Anything else is a {@link UsageError}.
 *
 * @example
 * ```ts
 * storeOption({ store: 'file:///mnt/pofa' }); // { kind: 'folder', folder: '/mnt/pofa' }
 * ```
 */
export function storeOption(options: OptionValues): StoreLocation | undefined {
  const { store } = options;
  if (store === undefined) return undefined;
  return asUsage(() => parseStoreUrl(String(store)));
}

/**
 * Checks that the `--store` folder is there before the worker takes a stage: a missing mount or a
 * file would fail every stage later, after the queue handed it over.
 */
async function checkStoreFolder(folder: string, given: string): Promise<void> {
  const info = await stat(folder).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    const why = info.code === 'ENOENT' ? `${folder} does not exist` : info.code === 'EACCES' ? `permission denied for ${folder}` : `${folder} cannot be read (${info.code ?? info.message})`;
    throw new ConfigError(`--store ${given}: ${why}`, { expected: 'the shared folder of the runs\' work folders, mounted on this machine', hint: 'Mount the shared folder there, or check --store' });
  }
  if (!info.isDirectory()) throw new ConfigError(`--store ${given}: ${folder} is not a folder`, { expected: 'the shared folder of the runs\' work folders', hint: 'Check --store' });
}

/** The stage runner of each benchmark that puts its stages on the queue. */
const QUEUED_BENCHMARKS: Record<string, (data: StageJobData, tools: Parameters<StageRunner>[1] & { store?: string; cache: string }) => ReturnType<StageRunner>> = {
  'prune-ofa': runQueuedPruneOfaStage,
  'compress-sweep': runQueuedSweepStage,
};

/**
 * `pofa worker`: runs the stages `pofa reproduce --queue` puts on Redis, from any number of
 * processes and machines, until SIGTERM or Ctrl-C.
 *
 * @example
 * ```ts
 * await runCli(['worker', '--queue', 'redis://127.0.0.1:6379', '--concurrency', '1'], io, COMMANDS); // until io.signal aborts
 * ```
 */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run the stages of pofa reproduce --queue and pofa compress --sweep --queue: take them from Redis (BullMQ) until stopped',
  usage: 'pofa worker --queue redis://HOST:PORT [--concurrency 1] [--store file:///DIR|s3://BUCKET/PREFIX] [--cache DIR] [--stalled-seconds 30]',
  description: [
    'Takes the stages `pofa reproduce --queue` (or the cells of `pofa compress --sweep --queue`) enqueued (BullMQ on Redis) and runs them as the in-process run',
    'does, up to --concurrency at a time; start as many workers as you like, on as many machines. Each stage',
    "reads its inputs from and writes its model and record to the run's work folder, which every worker must see:",
    'a shared folder (NFS, a cluster file system) at the path pofa reproduce gave, or at --store where it is',
    'mounted elsewhere; or an S3-compatible bucket (pofa reproduce --store s3://BUCKET/PREFIX). With a bucket, a',
    'stage runs on a local copy in --cache: the finished stages it reads are downloaded (checked against the',
    'SHA-256 in their done.json), each new checkpoint is uploaded while it trains, and its folder is uploaded',
    'when it ends, done.json last; a stage already finished in the bucket is not run again. The endpoint is the',
    "URL's ?endpoint= or AWS_ENDPOINT_URL (path-style), credentials AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,",
    'the region AWS_REGION or us-east-1. A stage waits on the queue until the stages it reads have finished. A stage that fails is',
    'tried three times in all, then its cells are reported failed and the rest of the grid goes on. A worker',
    'killed mid-stage (SIGKILL, a lost machine) leaves its stage to another worker after --stalled-seconds; the',
    'stage resumes from its last checkpoint, with the same result as a run never stopped. SIGTERM or Ctrl-C: the',
    'running stage stops at its next step and goes back on the queue, and the worker exits; twice: at once.',
    'Prints one line per stage started, finished, failed or put back. Waits on Redis while idle; reconnects',
    'when Redis restarts.',
  ].join('\n'),
  options: {
    queue: { type: 'string', value: 'URL', description: 'The Redis of the queue: redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss:// (TLS)' },
    concurrency: { type: 'string', value: 'N', description: 'Stages this worker runs at once (each trains on the cores it finds)', defaultText: '1' },
    store: { type: 'string', value: 'URL', description: "Where this machine finds the runs' work folders (file:///DIR where the shared folder is mounted, or s3://BUCKET/PREFIX), when not where pofa reproduce said", defaultText: 'the store in each job' },
    cache: { type: 'string', value: 'DIR', description: "This worker's local copy of the stages it runs and reads from an S3 store (one folder per worker process)", defaultText: 'a temporary folder, removed when the worker stops' },
    'stalled-seconds': { type: 'string', value: 'S', description: "Seconds after which a dead worker's stage goes to another worker", defaultText: '30' },
  },
  async run({ options }, io) {
    const location = queueOption(options);
    if (location === undefined) throw new UsageError('pofa worker needs --queue', { expected: 'redis://HOST:PORT (the one given to pofa reproduce --queue)', hint: 'See pofa worker --help' });
    const concurrency = numberOption(options, 'concurrency', { fallback: 1, min: 1, max: 256, integer: true }) as number;
    const stalledSeconds = numberOption(options, 'stalled-seconds', { fallback: 30, min: 1, max: 86_400 }) as number;
    const store = storeOption(options);
    if (store?.kind === 'folder') await checkStoreFolder(store.folder, String(options.store));
    if (store?.kind === 's3') await bucketStore(store.url);
    const cache = typeof options.cache === 'string' ? resolve(io.cwd, options.cache) : join(tmpdir(), `pofa-worker-${process.pid}`);
    await initCliBackend();
    const stamp = () => new Date().toISOString().slice(11, 19);
    const runStage: StageRunner = async (data, tools) => {
      const benchmark = (data.grid as { benchmark?: unknown }).benchmark;
      const run = typeof benchmark === 'string' ? QUEUED_BENCHMARKS[benchmark] : undefined;
      if (run === undefined) throw new ConfigError(`This worker cannot run stages of ${JSON.stringify(benchmark)}`, { expected: Object.keys(QUEUED_BENCHMARKS).join(', '), hint: 'Run the same pofa version on the driver and every worker' });
      return run(data, { ...tools, cache, ...(store === undefined ? {} : { store: store.kind === 'folder' ? store.folder : store.url }) });
    };
    try {
      await runStageWorker({
        location, concurrency, stalledSeconds, runStage,
        log: (line) => io.stdout.write(`[${stamp()}] ${line}\n`),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
    } finally {
      if (options.cache === undefined) await rm(cache, { recursive: true, force: true });
    }
    io.stdout.write(`[${stamp()}] worker stopped\n`);
    return 0;
  },
};
