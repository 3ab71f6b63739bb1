import { PofaError } from '@pofa/core';
import packageJson from '../../package.json';
import { InterruptedError } from '../errors/interrupted-error';
import { UsageError } from '../errors/usage-error';
import type { CliIo, Command } from './command';
import { commandHelp, programHelp } from './help';
import { findCommand, parseCommandLine } from './parse-command-line';

/** The version the CLI reports (`pofa --version`). */
export const CLI_VERSION: string = packageJson.version;

/** Exit codes of `pofa`. */
export const EXIT_CODES = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * Prints an error the way the CLI does and returns the exit code: a usage error → its message
 * and exit 2; an interrupted run → 130; any other pofa error → its message and exit 1; anything
 * else (a bug) → its message and exit 1. Stack traces only with `POFA_DEBUG=1`.
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
  if (PofaError.isInstance(error)) {
    io.stderr.write(`pofa: ${error.message}\n${stack}`);
    return EXIT_CODES.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`pofa: unexpected error: ${message}\n${stack || 'Run again with POFA_DEBUG=1 for the stack trace, and please report it.\n'}`);
  return EXIT_CODES.failure;
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
