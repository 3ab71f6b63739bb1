#!/usr/bin/env node
// The bad-input tour (issue 23): 200 inputs a user could get wrong, none of them a case of
// packages/cli/src/cli/bad-input.test.ts, run through the built CLI (packages/cli/dist/bin.js)
// one at a time. Each case must end within 30 s with a clear pofa error (exit 1, 2 or 3, one line
// "pofa: ...", no "unexpected error", no stack trace) or, where the input is fine, exit 0 with a
// right result; every file that existed before must be byte-identical after, and nothing may be
// left but the case's own outputs. Also: a running `pofa serve` answering bad HTTP requests, and
// `compress --resume` after Ctrl-C / SIGTERM, byte-identical to an uninterrupted run.
//
//   node scripts/bad-input-tour.mjs [--out report.json] [--only TEXT] [--keep]
//
// Prints a table per command and writes a JSON report (every case: command line, exit code,
// first line of stderr, wall time, problems); exits 1 if any case has a problem.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commandLineCases, reproduceCases, serveStartCases, workerCases } from './bad-input-tour/cases-ops.mjs';
import { compressCases, stageCases, transferCases } from './bad-input-tour/cases-train.mjs';
import { benchCases, evalCases, exportCases, inspectCases } from './bad-input-tour/cases-use.mjs';
import { buildFixtures } from './bad-input-tour/fixtures.mjs';
import { RESUME_CASES, runOutputs, runResumeCase } from './bad-input-tour/resume.mjs';
import { BIN, compareFingerprints, fingerprint, isClearError, judge, removeOutputs, runCli } from './bad-input-tour/run-case.mjs';
import { HTTP_CASES, predictWorks, runHttpCases, startServe, stopServe } from './bad-input-tour/serve-http.mjs';

const CLI_CASES = [...compressCases, ...transferCases, ...stageCases, ...evalCases, ...exportCases, ...inspectCases, ...benchCases, ...serveStartCases, ...reproduceCases, ...workerCases, ...commandLineCases];
const TOTAL = CLI_CASES.length + HTTP_CASES.length + RESUME_CASES.length;

const { values: args } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' }, keep: { type: 'boolean' } } });
if (!existsSync(BIN)) {
  console.error(`bad-input tour: ${BIN} is missing. Build the CLI first (pnpm --filter @pofa/cli build)`);
  process.exit(2);
}

/** A free port and a server holding it (for "port in use"). */
async function holdPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => server.close() };
}

/** A throwaway Redis on a free port (undefined without redis-server: then those cases meet a closed port). */
async function startRedis() {
  const probe = await holdPort();
  probe.close();
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const child = spawn('redis-server', ['--port', String(probe.port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { port: probe.port, stop: () => child.kill('SIGTERM') };
}

const fill = (value, places) => (typeof value === 'string' ? value.replace(/\{(\w+)\}/g, (_, key) => places[key]) : value);

/** The environment of a case: the tour's, with the case's variables set (undefined: removed). */
function caseEnv(base, extra = {}, places) {
  const env = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = fill(value, places);
  }
  return env;
}

/** Runs a `pofa serve` case: it must refuse clearly, or (expect 'serve') start, answer, and stop with exit 0. */
async function runServeCase(item, argv, cwd, env) {
  const started = await startServe(argv, { cwd, env });
  const { stdout, stderr } = started.output();
  if (started.timedOut) return { result: { code: null, stdout, stderr, ms: started.ms }, problems: ['hang: neither listening nor exited after 30 s'] };
  if (started.exited !== undefined) {
    const result = { ...started.exited, stdout, stderr, ms: started.ms };
    return { result, problems: item.expect === 'serve' ? [`did not start: ${stderr.split('\n')[0]}`] : judge(result, { ...item, expect: 'error' }) };
  }
  const problems = [];
  if (item.expect === 'error') problems.push(`started serving a bad input (${argv.join(' ')})`);
  else {
    const problem = await predictWorks(started.url, item.path);
    if (problem !== undefined) problems.push(problem);
  }
  const code = await stopServe(started.child);
  if (code !== 0) problems.push(`after SIGTERM: exit ${code}`);
  const result = { code, stdout, stderr: started.output().stderr, ms: started.ms };
  if (/unexpected error|"internal error"/i.test(result.stderr)) problems.push('unexpected or internal error in the log');
  return { result, problems };
}

/** Runs one command-line case in `dir`: the run, the checks, and the clean-up (restoring anything changed). */
async function runCase(item, context) {
  const { dir, pristine, places } = context;
  const argv = item.argv.map((value) => fill(value, places));
  if (item.copy !== undefined) await cp(join(dir, item.copy[0]), join(dir, item.copy[1]), { recursive: true, verbatimSymlinks: true });
  const outputs = item.outputs ?? [];
  const existing = outputs.filter((path) => existsSync(join(dir, path)) && !(item.copy?.[1] === path));
  if (existing.length > 0) throw new Error(`case ${argv.join(' ')}: its outputs ${existing.join(', ')} exist before it runs`);
  const before = await fingerprint(dir);
  const cwd = join(dir, item.cwd ?? '');
  const env = caseEnv(context.env, item.env, places);
  let result;
  let problems;
  if (argv[0] === 'serve') ({ result, problems } = await runServeCase(item, argv, cwd, env));
  else {
    result = await runCli({ argv, cwd, env, user: item.user === true });
    problems = judge(result, item);
    if (result.code === 0 && item.verify !== undefined && problems.length === 0) {
      const problem = await item.verify({ result, dir, env, ref: context.ref });
      if (problem !== undefined) problems.push(problem);
    }
  }
  const after = await fingerprint(dir);
  const { changed, added } = compareFingerprints(before, after, [...outputs, ...(item.copy === undefined ? [] : [item.copy[1]])]);
  if (changed.length > 0) problems.push(`changed or removed: ${changed.slice(0, 5).join(', ')}`);
  // A run or work folder left by a run that failed in a stage can be resumed: a note, not a failure.
  const tops = added.filter((path) => !added.some((other) => path.startsWith(`${other}/`)));
  const holdsRun = (top) => added.some((path) => path.startsWith(`${top}/`) && /(^|\/)(run|settings)\.json$/.test(path));
  const resumable = result.code !== 0 && tops.length > 0 && tops.every(holdsRun);
  const notes = resumable ? [`left a resumable run folder: ${added[0]}`] : [];
  if (added.length > 0 && result.code !== 0 && !resumable) problems.push(`left behind: ${added.slice(0, 5).join(', ')}`);
  else if (added.length > 0 && result.code === 0) problems.push(`wrote outside its outputs: ${added.slice(0, 5).join(', ')}`);
  // Put the folder back as it was for the next case.
  await removeOutputs(dir, [...outputs, ...added, ...(item.copy === undefined ? [] : [item.copy[1]])]);
  for (const path of changed) {
    await rm(join(dir, path), { recursive: true, force: true });
    if (await lstat(join(pristine, path)).then(() => true, () => false)) await cp(join(pristine, path), join(dir, path), { recursive: true, verbatimSymlinks: true });
  }
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  const first = lines[0] ?? '';
  // The message of an error is its last "pofa: " line (progress lines come before it).
  const error = result.code === 0 ? undefined : lines.filter((line) => line.startsWith('pofa: ')).at(-1);
  return { command: item.group ?? argv[0], argv, error, env: item.env, user: item.user === true ? 'nobody' : undefined, expect: item.expect, code: result.code, firstLine: first, ms: result.ms, clearError: result.code !== 0 && isClearError(result), problems, notes };
}

const base = await mkdtemp(join(tmpdir(), 'pofa-tour-'));
// Readable by all: some cases run as nobody.
await chmod(base, 0o755);
const dir = join(base, 'f');
const pristine = join(base, 'pristine');
await mkdir(dir);
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('POFA_'))), POFA_CACHE: join(dir, 'cache'), NO_COLOR: '1' };
const started = Date.now();
console.log(`bad-input tour: ${TOTAL} cases; fixtures in ${dir}`);
const ref = await buildFixtures(dir, env);
ref.run = await runOutputs(join(dir, 'run'));
execFileSync('cp', ['-a', dir, pristine]);
const busy = await holdPort();
const redis = await startRedis();
const redisUrl = redis === undefined ? 'redis://127.0.0.1:1' : `redis://127.0.0.1:${redis.port}`;
const places = { dir, busyPort: String(busy.port), redis: redisUrl, rediss: redisUrl.replace('redis:', 'rediss:'), redisHost: redisUrl.slice('redis://'.length) };
const context = { dir, pristine, env, ref, places };

/** One line per case as it ends (and its problems under it). */
function print(record, prefix) {
  const problems = record.problems.length === 0 ? '' : `\n       ${record.problems.join('; ')}${record.error === undefined ? '' : `\n       ${record.error}`}`;
  console.log(`${record.problems.length === 0 ? 'ok  ' : 'FAIL'} ${String(record.code).padStart(4)} ${String(record.ms).padStart(6)} ms  ${prefix} ${record.argv.join(' ')}${problems}`);
}

const results = [];
const wanted = (text) => args.only === undefined || text.includes(args.only);
try {
  for (const item of CLI_CASES) {
    if (!wanted(item.argv.join(' '))) continue;
    const record = await runCase(item, context);
    results.push(record);
    print(record, 'pofa');
  }
  if (wanted('serve-http')) {
    const served = await startServe(['serve', 'model.pofa', '--port', '0'], { cwd: dir, env });
    if (served.url === undefined) throw new Error(`pofa serve model.pofa did not start: ${served.output().stderr}`);
    const { results: http, drift } = await runHttpCases(served.url);
    const code = await stopServe(served.child);
    // What the whole session must show: the same answers at the end, a clean stop, no internal error logged.
    const last = http.at(-1).problems;
    last.push(...drift);
    if (code !== 0) last.push(`serve exited ${code} on SIGTERM`);
    if (/"internal error"|unexpected error/i.test(served.output().stderr)) last.push('an internal error in the serve log');
    for (const record of http) print(record, 'HTTP');
    results.push(...http.map((record) => ({ ...record, clearError: typeof record.code === 'number' && record.code >= 400 && record.code < 500 && record.problems.length === 0 })));
  }
  if (wanted('resume')) {
    for (const item of RESUME_CASES) {
      const record = await runResumeCase(item, context, ref.run);
      print(record, 'pofa');
      results.push({ ...record, clearError: record.code === 130 || record.code === 'SIGINT' });
    }
  }
} finally {
  busy.close();
  redis?.stop();
}

// The summary: per command, the cases, clear errors, right exits 0, failures.
const byCommand = new Map();
for (const record of results) {
  const row = byCommand.get(record.command) ?? { cases: 0, clearErrors: 0, ok: 0, failed: 0, ms: 0 };
  row.cases += 1;
  row.ms += record.ms;
  if (record.problems.length > 0) row.failed += 1;
  else if (record.clearError) row.clearErrors += 1;
  else row.ok += 1;
  byCommand.set(record.command, row);
}
const total = [...byCommand.values()].reduce((sum, row) => ({ cases: sum.cases + row.cases, clearErrors: sum.clearErrors + row.clearErrors, ok: sum.ok + row.ok, failed: sum.failed + row.failed, ms: sum.ms + row.ms }), { cases: 0, clearErrors: 0, ok: 0, failed: 0, ms: 0 });
console.log('\n| command | cases | clear errors | right results | failed | time |\n| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [command, row] of [...byCommand, ['all', total]]) console.log(`| ${command} | ${row.cases} | ${row.clearErrors} | ${row.ok} | ${row.failed} | ${(row.ms / 1000).toFixed(1)} s |`);
const failures = results.filter((record) => record.problems.length > 0);
for (const record of failures) console.log(`FAIL pofa ${record.argv.join(' ')}: ${record.problems.join('; ')}`);
for (const record of results.filter((item) => (item.notes ?? []).length > 0)) console.log(`note pofa ${record.argv.join(' ')}: ${record.notes.join('; ')}`);

const reportPath = args.out ?? join(tmpdir(), `pofa-bad-input-tour-${Date.now()}.json`);
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version };
await writeFile(reportPath, `${JSON.stringify({ date: new Date().toISOString(), machine, seconds: Math.round((Date.now() - started) / 1000), summary: Object.fromEntries([...byCommand, ['all', total]]), cases: results }, null, 2)}\n`);
console.log(`\n${total.cases} cases (${TOTAL} in the tour), ${total.failed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s; report: ${reportPath}`);
if (args.keep !== true) await rm(base, { recursive: true, force: true });
else console.log(`fixtures kept in ${dir}`);
process.exit(failures.length > 0 ? 1 : 0);
