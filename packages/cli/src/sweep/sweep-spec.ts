import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import { parse as parseYaml } from 'yaml';
import type { CompressOptions } from '../pipeline/compress-options';
import { PATTERNS } from '../pipeline/prune-ofa-recipe';

/** One value a sweep key takes. */
export type SweepValue = number | string | boolean;

/** A sweep: each key with its values, in the order given (the first key varies slowest). */
export type SweepSpec = Array<{ key: SweepKey; values: SweepValue[] }>;

/** One cell of a sweep: its swept values, its name (`sparsity=0.9,pattern=4x1`, also its folder) and its compress options. */
export interface SweepCell {
  name: string;
  values: Record<string, SweepValue>;
  options: Partial<CompressOptions>;
}

/** How each sweep key's text is read and which compress option it sets. */
const KEYS = {
  sparsity: { option: 'sparsity', expected: 'a number in [0, 1)', read: (text: string) => readNumber(text, (value) => value >= 0 && value < 1) },
  pattern: { option: 'pattern', expected: PATTERNS.join(' | '), read: (text: string) => ((PATTERNS as readonly string[]).includes(text) ? text : undefined) },
  seed: { option: 'seed', expected: 'an integer', read: (text: string) => readNumber(text, Number.isSafeInteger) },
  'per-channel': { option: 'perChannel', expected: 'true or false', read: readBoolean },
  int8: { option: 'int8', expected: 'true or false', read: readBoolean },
} as const;

/** The keys a sweep may vary: the compress options that change a cell's result and nothing else. */
export type SweepKey = keyof typeof KEYS;

/**
 * The keys `--sweep` accepts.
 *
 * @example
 * ```ts
 * SWEEP_KEYS; // ['sparsity', 'pattern', 'seed', 'per-channel', 'int8']
 * ```
 */
export const SWEEP_KEYS = Object.keys(KEYS) as SweepKey[];

function readNumber(text: string, valid: (value: number) => boolean): number | undefined {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(value) && valid(value) ? value : undefined;
}

function readBoolean(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

function sweepKey(key: string, where: string): SweepKey {
  if (key in KEYS) return key as SweepKey;
  throw new ConfigError(`Unknown sweep key ${JSON.stringify(key)} in ${where}`, {
    expected: `one of ${SWEEP_KEYS.join(', ')}`,
    received: JSON.stringify(key),
    hint: 'A sweep varies what changes a cell of pofa compress; run the other options once for every cell (e.g. --task, --scale)',
  });
}

function sweepValues(key: SweepKey, texts: readonly string[], where: string): SweepValue[] {
  const { read, expected } = KEYS[key];
  const values = texts.map((text) => {
    const value = read(text.trim());
    if (value === undefined) throw new ConfigError(`Invalid value of sweep key ${key} in ${where}`, { expected, received: JSON.stringify(text) });
    return value;
  });
  if (values.length === 0) throw new ConfigError(`Sweep key ${key} has no values in ${where}`, { expected: `${key}=V1,V2,…` });
  if (new Set(values).size !== values.length) throw new ConfigError(`Sweep key ${key} repeats a value in ${where}`, { expected: 'each value once', received: texts.join(',') });
  return values;
}

/**
 * Whether a `--sweep` argument names a sweep file (`.yaml`, `.yml` or `.json`, no `=`).
 *
 * @example
 * ```ts
 * isSweepFile('grid.yaml'); // true
 * isSweepFile('sparsity=0.8,0.9'); // false
 * ```
 */
export function isSweepFile(arg: string): boolean {
  return !arg.includes('=') && /\.(ya?ml|json)$/i.test(arg);
}

/**
 * Reads `--sweep` arguments: each `KEY=V1,V2,…`, or one YAML/JSON file (`.yaml`, `.yml`, `.json`) that maps each key to a
 * list of values (`{ sparsity: [0.8, 0.9], pattern: [unstructured, 4x1] }`). Keys are those of
 * {@link SWEEP_KEYS}; an unknown key, a value the key does not take, a key given twice or no value
 * is a `ConfigError` that lists what is accepted.
 *
 * @example
 * ```ts
 * await readSweep(['sparsity=0.8,0.9', 'pattern=unstructured,4x1'], process.cwd());
 * // [{ key: 'sparsity', values: [0.8, 0.9] }, { key: 'pattern', values: ['unstructured', '4x1'] }]
 * ```
 */
export async function readSweep(args: readonly string[], cwd: string): Promise<SweepSpec> {
  if (args.length === 1 && isSweepFile(args[0])) return readSweepFile(resolve(cwd, args[0]));
  const spec: SweepSpec = [];
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) {
      throw new ConfigError('Invalid --sweep', { expected: `KEY=V1,V2,… (keys: ${SWEEP_KEYS.join(', ')}), or one YAML/JSON file`, received: JSON.stringify(arg) });
    }
    const key = sweepKey(arg.slice(0, at), '--sweep');
    if (spec.some((entry) => entry.key === key)) throw new ConfigError(`Sweep key ${key} is given twice`, { hint: `Give its values once: --sweep ${key}=V1,V2` });
    spec.push({ key, values: sweepValues(key, arg.slice(at + 1).split(','), '--sweep') });
  }
  return spec;
}

async function readSweepFile(path: string): Promise<SweepSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the sweep file ${path}`, { expected: `a YAML/JSON file, or KEY=V1,V2,… (keys: ${SWEEP_KEYS.join(', ')})`, received: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error) });
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`The sweep file ${path} is not YAML or JSON`, { received: error instanceof Error ? error.message.split('\n')[0] : String(error) });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`Invalid sweep file ${path}`, { expected: `a map of keys to lists of values, e.g. { sparsity: [0.8, 0.9], pattern: [unstructured, 4x1] } (keys: ${SWEEP_KEYS.join(', ')})`, received: Array.isArray(data) ? 'a list' : typeof data });
  }
  return Object.entries(data as Record<string, unknown>).map(([name, list]) => {
    const key = sweepKey(name, path);
    const texts = (Array.isArray(list) ? list : [list]).map((value) => String(value));
    return { key, values: sweepValues(key, texts, path) };
  });
}

/**
 * The cells of a sweep: the cartesian product of its values, the first key varying slowest. A
 * cell whose pattern fixes its sparsity (2:4 is 50%) but sweeps another is refused.
 *
 * @example
 * ```ts
 * sweepCells([{ key: 'sparsity', values: [0.8, 0.9] }, { key: 'pattern', values: ['4x1'] }]).map((cell) => cell.name);
 * // ['sparsity=0.8,pattern=4x1', 'sparsity=0.9,pattern=4x1']
 * ```
 */
export function sweepCells(spec: SweepSpec): SweepCell[] {
  let cells: Array<Record<string, SweepValue>> = [{}];
  for (const { key, values } of spec) cells = cells.flatMap((cell) => values.map((value) => ({ ...cell, [key]: value })));
  return cells.map((values) => {
    if (values.pattern === '2:4' && values.sparsity !== undefined && values.sparsity !== 0.5) {
      throw new ConfigError(`Sweep cell pattern=2:4 with sparsity=${String(values.sparsity)}`, { expected: 'no swept sparsity with 2:4 (it keeps 2 weights of every 4, 50%)', hint: 'Sweep 2:4 in a sweep of its own, without sparsity' });
    }
    const options = Object.fromEntries(Object.entries(values).map(([key, value]) => [KEYS[key as SweepKey].option, value])) as Partial<CompressOptions>;
    return { name: Object.entries(values).map(([key, value]) => `${key}=${String(value)}`).join(','), values, options };
  });
}
