// Checks of a command that exited 0: what it printed or wrote is right, not merely present.
import { execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN } from './run-case.mjs';

/** Runs another pofa command for a check (its stdout), or returns the error's first line. */
export function pofa(argv, { dir, env }) {
  try {
    return { out: execFileSync(process.execPath, [BIN, ...argv], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }) };
  } catch (error) {
    return { error: String(error.stderr ?? error.message).split('\n')[0] };
  }
}

/** `eval --json` printed the rows `eval hf --task small.tsv` prints: same metric, value and example count. */
export const sameAsSmall = ({ result, ref }) => {
  let rows;
  try {
    rows = JSON.parse(result.stdout);
  } catch {
    return 'stdout is not the JSON rows of eval --json';
  }
  const [row] = rows;
  const [expected] = ref.evalSmall;
  for (const key of ['metric', 'value', 'examples']) {
    if (row?.[key] !== expected[key]) return `${key} ${row?.[key]} where small.tsv gives ${expected[key]} (a silent wrong result)`;
  }
  return undefined;
};

/** `eval --json` printed finite metric values on at least one example. */
export const finiteEval = ({ result }) => {
  try {
    const rows = JSON.parse(result.stdout);
    if (rows.length === 0) return 'no rows';
    const bad = rows.find((row) => !Number.isFinite(row.value) || !(row.examples > 0));
    return bad === undefined ? undefined : `a row with value ${bad.value} on ${bad.examples} examples, and exit 0 (a silent wrong result)`;
  } catch {
    return 'stdout is not the JSON rows of eval --json';
  }
};

/** The file at `path` is a .pofa bundle pofa can inspect, holding `tensors` or more encoder tensors. */
export const bundleAt = (path) => async ({ dir, env }) => {
  const inspected = pofa(['inspect', path, '--json'], { dir, env });
  if (inspected.error !== undefined) return `the output ${path} does not inspect: ${inspected.error}`;
  return /"format"|"tensors"/.test(inspected.out) ? undefined : `inspect ${path} --json shows no tensors`;
};

/** The folder at `path` is a Hugging Face checkpoint with the weights of `source` (the same tensors, byte for byte). */
export const checkpointAt = (path, source = 'hf') => async ({ dir }) => {
  try {
    const [written, original] = await Promise.all([readFile(join(dir, path, 'model.safetensors')), readFile(join(dir, source, 'model.safetensors'))]);
    await stat(join(dir, path, 'vocab.txt'));
    return written.length > 0 && original.length > 0 ? undefined : 'empty weights';
  } catch (error) {
    return `the output ${path} is not a checkpoint: ${error.code ?? error.message}`;
  }
};

/** The file at `path` is an ONNX model (a protobuf starting with the ir_version field). */
export const onnxAt = (path) => async ({ dir }) => {
  try {
    const bytes = await readFile(join(dir, path));
    return bytes[0] === 0x08 ? undefined : `${path} does not start as an ONNX model`;
  } catch (error) {
    return `no ${path}: ${error.code}`;
  }
};

/** stdout holds `pattern`. */
export const prints = (pattern) => ({ result }) => (pattern.test(result.stdout) ? undefined : `stdout does not show ${pattern}`);

/** The JSON file at `path` parses and `check(value)` holds. */
export const jsonAt = (path, check, what) => async ({ dir }) => {
  try {
    return check(JSON.parse(await readFile(join(dir, path), 'utf8'))) ? undefined : `${path} is not ${what}`;
  } catch (error) {
    return `no readable ${path}: ${error.code ?? error.message}`;
  }
};

/** A finished run folder at `path`: run.json completed and every bundle models.json lists inspects. */
export const finishedRun = (path) => async (context) => {
  const run = await jsonAt(join(path, 'run.json'), (value) => value.completed === true, 'a finished run')(context);
  if (run !== undefined) return run;
  let models;
  try {
    models = JSON.parse(await readFile(join(context.dir, path, 'models.json'), 'utf8'));
  } catch (error) {
    return `no readable ${path}/models.json: ${error.code ?? error.message}`;
  }
  const bundles = Object.values(models.bundles ?? {});
  if (bundles.length === 0) return `${path}/models.json lists no bundles`;
  for (const bundle of bundles) {
    const problem = await bundleAt(join(path, bundle))(context);
    if (problem !== undefined) return problem;
  }
  return undefined;
};
