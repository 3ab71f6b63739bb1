// Processes the queue tests start: the built CLI (dist/bin.js), redis-server (Debian's redis-server
// package; .ci/run installs it before the tests), and what they wait for.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const bin = fileURLToPath(new URL('../../../dist/bin.js', import.meta.url));
/** The redis-server on PATH, or '' (the queue tests then skip, saying why). */
export const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();

/** A spawned process with its output collected and its end awaited. */
export interface Spawned {
  child: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function start(command: string, args: string[], cwd: string, env?: Record<string, string>): Spawned {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(env === undefined ? {} : { env: { ...process.env, ...env } }) });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, err: () => err, exited };
}

/** `pofa ARGS` from the built CLI, in `cwd`, with `env` added to this process's. */
export const pofa = (args: string[], cwd: string, env?: Record<string, string>): Spawned => start(process.execPath, [bin, ...args], cwd, env);

export const alive = (spawned: Spawned): boolean => spawned.child.exitCode === null && spawned.child.signalCode === null;

export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** redis-server on `port`, its data in `dir` (append-only file fsynced on every write: a restart keeps the queue). */
export async function startRedis(port: number, dir: string): Promise<Spawned> {
  const redis = start(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], dir);
  await until(() => redis.out().includes('Ready to accept connections') || redis.child.exitCode !== null, 'redis-server to start', 20_000);
  if (redis.child.exitCode !== null) throw new Error(`redis-server did not start: ${redis.out()}${redis.err()}`);
  return redis;
}

/** A row of a Prune OFA table (the fields the tests compare). */
export interface Row {
  model: string;
  variant: string;
  task: string;
  value: number;
}

export const rows = async (out: string, scale = 'smoke'): Promise<Row[]> => JSON.parse(await readFile(join(out, `prune-ofa-${scale}.json`), 'utf8')).rows as Row[];

/** Runs the Prune OFA grid of `scale` in process (`pofa reproduce … --out OUT` in `dir`), checks it exited 0, and returns its table: the reference every queued run must equal. */
export async function inProcessTable(dir: string, out: string, scale = 'smoke'): Promise<Row[]> {
  const inProcess = pofa(['reproduce', '--scale', scale, '--only', 'prune-ofa', '--out', out], dir);
  expect(await inProcess.exited, inProcess.err()).toEqual({ code: 0, signal: null });
  return rows(join(dir, out), scale);
}

/** The stage a worker is running now: its last "start" line without a later end. */
export function currentStage(worker: Spawned): string | undefined {
  const lines = worker.out().split('\n');
  const started = lines.map((line) => /\] start (\S+) \(try/.exec(line)?.[1]).filter((name): name is string => name !== undefined).at(-1);
  if (started === undefined) return undefined;
  const from = lines.map((line) => line.includes(`] start ${started} (`)).lastIndexOf(true);
  const ended = lines.slice(from).some((line) => /\] (done|failed|stopped|left) /.test(line) && line.includes(` ${started}`));
  return ended ? undefined : started;
}
