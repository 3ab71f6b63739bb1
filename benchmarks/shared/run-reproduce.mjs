// The benchmark scripts are `pofa reproduce --only <benchmark>` with their results in benchmarks/results/.
import { fileURLToPath } from 'node:url';
import { COMMANDS, runCli } from '@pofa/cli';

/** Where the scripts write their results unless given `--out`. */
export const RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));

/**
 * The `pofa` arguments of a benchmark script: `reproduce --only <benchmark>`, `--out` defaulting
 * to benchmarks/results/, and the script's own arguments (the `--` pnpm passes dropped).
 *
 * @example
 * ```js
 * reproduceArguments('ofa', ['--', '--scale', 'mini']); // ['reproduce', '--only', 'ofa', '--out', '<repo>/benchmarks/results', '--scale', 'mini']
 * ```
 */
export function reproduceArguments(benchmark, argv) {
  const args = argv.filter((arg) => arg !== '--');
  const hasOut = args.some((arg) => arg === '--out' || arg === '-o' || arg.startsWith('--out='));
  return ['reproduce', '--only', benchmark, ...(hasOut ? [] : ['--out', RESULTS_DIR]), ...args];
}

/**
 * Runs a benchmark script as `pofa reproduce` does (one message and a non-zero exit code for a
 * mistake; Ctrl-C stops at the next step and the same command continues) and returns the exit code.
 *
 * @example
 * ```js
 * process.exitCode = await runReproduce('prune-ofa', process.argv.slice(2));
 * ```
 */
export async function runReproduce(benchmark, argv, io = undefined) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\npofa: stopping after the current step (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  if (io === undefined) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    return await runCli(reproduceArguments(benchmark, argv), io ?? { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal }, COMMANDS);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
