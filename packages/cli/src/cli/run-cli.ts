import { FileSystemError, PofaError } from '@pofa/core';
import { OutputError } from '../errors/output-error';
import packageJson from '../../package.json';
import { InterruptedError } from '../errors/interrupted-error';
import { UsageError } from '../errors/usage-error';
import type { CliIo, Command } from './command';
import { commandHelp, programHelp } from './help';
import { findCommand, parseCommandLine } from './parse-command-line';

/** The version the CLI reports (`pofa --version`). */
export const CLI_VERSION: string = packageJson.version;

/**
 * Exit codes of `pofa` (docs/errors.md): 0 done; 1 bad input (a file, folder, data or value the
 * command cannot use); 2 usage (the command line itself); 3 output or I/O (pofa will not or cannot
 * write there: an existing output without --force, a special file, no space, permission denied,
 * a missing folder); 70 internal error (a bug: please report it); 130 interrupted (Ctrl-C, SIGTERM).
 */
export const EXIT_CODES = { ok: 0, failure: 1, usage: 2, io: 3, internal: 70, interrupted: 130 } as const;

/**
 * Prints an error the way the CLI does and returns the exit code: a usage error → its message
 * and exit 2; an interrupted run → 130; a refused output or a failed read/write → 3; any other
 * pofa error → its message and exit 1; anything else (a bug) → "unexpected error", how to report
 * it, and exit 70. Stack traces only with `--debug` or `POFA_DEBUG=1`.
 *
 * @example
 * ```ts
 * const code = reportError(new UsageError('Unknown command "x"'), io); // 2
 * ```
 */
export function reportError(error: unknown, io: CliIo): number {
  const debug = io.env.POFA_DEBUG === '1';
  const stack = debug && error instanceof Error && error.stack !== undefined ? `\n${error.stack}\n` : '';
  if (UsageError.isInstance(error)) {
    io.stderr.write(`pofa: ${error.message}\n${stack}`);
    return EXIT_CODES.usage;
  }
  if (InterruptedError.isInstance(error)) {
    io.stderr.write(`\npofa: ${error.message}\n${stack}`);
    return EXIT_CODES.interrupted;
  }
  if (FileSystemError.isInstance(error) || OutputError.isInstance(error)) {
    io.stderr.write(`pofa: ${error.message}\n${stack}`);
    return EXIT_CODES.io;
  }
  if (PofaError.isInstance(error)) {
    io.stderr.write(`pofa: ${error.message}\n${stack}`);
    return EXIT_CODES.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`pofa: unexpected error (a bug in pofa): ${message}\n${stack || 'Please report it to the pofa issue tracker with the command and the output of the same command run with --debug.\n'}`);
  return EXIT_CODES.internal;
}

/**
 * Runs `pofa` with arguments (without `node` and the script): finds the command, parses its
 * options, runs it, and turns any error into one message and an exit code (see
 * {@link reportError}). Never throws and never calls `process.exit`.
 *
 * @example
 * ```ts
 * const code = await runCli(['inspect', 'model.safetensors'], { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, COMMANDS);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<number> {
  // --debug (anywhere before a lone --) shows the stack of any error, as POFA_DEBUG=1 does.
  const end = argv.indexOf('--');
  const debug = argv.findIndex((token, index) => token === '--debug' && (end === -1 || index < end));
  if (debug !== -1) return runCli(argv.filter((_, index) => index !== debug), { ...io, env: { ...io.env, POFA_DEBUG: '1' } }, commands);
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      if (first === 'help' && rest[0] !== undefined) {
        io.stdout.write(commandHelp(findCommand(commands, rest[0])));
        return EXIT_CODES.ok;
      }
      io.stdout.write(programHelp(commands, CLI_VERSION));
      return EXIT_CODES.ok;
    }
    if (first === '--version' || first === '-v') {
      io.stdout.write(`${CLI_VERSION}\n`);
      return EXIT_CODES.ok;
    }
    if (first.startsWith('-')) {
      throw new UsageError(`Unknown option ${first}`, { expected: 'a command first (pofa <command> [options])', hint: 'See pofa --help' });
    }
    const command = findCommand(commands, first);
    const parsed = parseCommandLine(command, rest);
    if (parsed.help) {
      io.stdout.write(commandHelp(command));
      return EXIT_CODES.ok;
    }
    return await command.run({ options: parsed.options, positionals: parsed.positionals, lists: parsed.lists }, io);
  } catch (error) {
    return reportError(error, io);
  }
}
