// One case of the bad-input tour: run the built CLI with a time limit, then check what a user
// must be able to count on: a clear error (or a right result), no hang, nothing of theirs changed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** The limit of one case: a command still running after it hangs. */
export const CASE_TIMEOUT_MS = 30_000;

/** Every path under `dir` (relative) with its type and the sha256 of its bytes (a symlink: its target). */
export async function fingerprint(dir) {
  const result = new Map();
  const walk = async (folder) => {
    for (const name of (await readdir(folder)).sort()) {
      const path = join(folder, name);
      const info = await lstat(path);
      const key = relative(dir, path);
      if (info.isDirectory()) {
        result.set(key, `folder ${(info.mode & 0o777).toString(8)}`);
        await walk(path);
      } else if (info.isFile()) result.set(key, createHash('sha256').update(await readFile(path)).digest('hex'));
      else if (info.isSymbolicLink()) result.set(key, 'symlink');
      else result.set(key, 'special');
    }
  };
  await walk(dir);
  return result;
}

/** Whether `path` is `place` or inside it. */
const under = (path, place) => path === place || path.startsWith(`${place}/`);

/**
 * What changed between two fingerprints, apart from `allowed` places (a case's own outputs) and
 * new entries in the cache: changed or removed paths, and paths that appeared.
 */
export function compareFingerprints(before, after, allowed) {
  const free = (path) => allowed.some((place) => under(path, place));
  const changed = [...before].filter(([path, hash]) => !free(path) && after.get(path) !== hash).map(([path]) => path);
  const added = [...after.keys()].filter((path) => !before.has(path) && !free(path) && !under(path, 'cache'));
  return { changed, added };
}

/** Runs `node bin.js ...argv` (as `nobody` when `user` is set) in `cwd`; kills its process group at the limit. */
export function runCli({ argv, cwd, env, user, timeoutMs = CASE_TIMEOUT_MS }) {
  const command = user ? 'setpriv' : process.execPath;
  const args = user ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...argv] : [BIN, ...argv];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/**
 * The problems of a finished command against a case's expectation (empty: it passed). Exit 0 is
 * right for 'ok' and 'either' (their `verify` is run by the caller); any other exit must be a
 * clear pofa error: 1, 2 or 3, one message starting with "pofa: ", for 'error' and 'either'.
 */
export function judge(result, item) {
  const problems = [];
  const text = `${result.stdout}\n${result.stderr}`;
  if (result.timedOut) return [`hang: still running after ${CASE_TIMEOUT_MS / 1000} s`];
  if (/unexpected error/i.test(text)) problems.push('unexpected error');
  if (/^\s{4}at /m.test(text)) problems.push('stack trace');
  if (result.code === 0) {
    if (item.expect === 'error') problems.push('exit 0: the bad input was taken (a silent wrong result?)');
  } else if (item.expect === 'ok') problems.push(`exit ${result.code ?? result.signal}, expected 0: ${result.stderr.split('\n')[0]}`);
  else if (![1, 2, 3].includes(result.code)) problems.push(`exit ${result.code ?? result.signal}, expected 1, 2 or 3 (a pofa error)`);
  else if (!result.stderr.startsWith('pofa: ')) problems.push('the error does not start with "pofa: "');
  else if (item.expect === 'error' && item.message !== undefined && !item.message.test(result.stderr)) problems.push(`the message does not name ${item.message}`);
  return problems;
}

/** A clear pofa error: exit 1 (input), 2 (usage) or 3 (output), one message starting with "pofa: ", nothing unexpected. */
export const isClearError = (result) => [1, 2, 3].includes(result.code) && result.stderr.startsWith('pofa: ') && !/unexpected error|^\s{4}at /im.test(result.stderr);

/** Removes a case's outputs (they may be read-only folders made by `nobody`: removed as root). */
export async function removeOutputs(dir, paths) {
  for (const path of paths) await rm(join(dir, path), { recursive: true, force: true });
}
