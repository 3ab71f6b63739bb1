// The command line of the benchmark scripts: `--name value` pairs (repeatable) and `--flag`.
import { parseArgs } from 'node:util';

/**
 * Reads `--scale`, `--out` and the other options of a benchmark script with `node:util`'s
 * `parseArgs` (strict: an unknown option is an error naming it). `multiple` options may repeat.
 *
 * @example
 * ```js
 * readCommandLine(['--scale', 'tiny', '--out', 'results'], { scale: 'string', out: 'string' }); // { scale: 'tiny', out: 'results' }
 * ```
 */
export function readCommandLine(argv, types, multiple = []) {
  const options = Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { type, ...(multiple.includes(name) ? { multiple: true } : {}) }]));
  const { values } = parseArgs({ args: argv.filter((arg) => arg !== '--'), options, strict: true, allowPositionals: false });
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Array.isArray(value) && value.length === 1 ? value[0] : value]));
}
