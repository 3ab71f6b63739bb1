/**
 * Where a command writes and what it reads of its environment; tests pass their own.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const io: CliIo = { stdout: { write: (text) => lines.push(text) }, stderr: process.stderr, env: {}, cwd: '/tmp' };
 * ```
 */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: long runs stop at the next step (their checkpoints stay intact). */
  signal?: AbortSignal;
}

/**
 * One option of a command.
 *
 * @example
 * ```ts
 * const sparsity: CommandOption = { type: 'string', value: 'S', description: 'Target sparsity of the encoder Linear weights', defaultText: '0.9' };
 * ```
 */
export interface CommandOption {
  type: 'string' | 'boolean';
  /** One-letter alias. */
  short?: string;
  /** The placeholder of the value in the help (`FILE`, `N`). */
  value?: string;
  description: string;
  /** The default, as the help shows it. */
  defaultText?: string;
  /** A string option that may repeat (`--teacher a --teacher b`): `options` holds the last value, `lists` every value. */
  multiple?: boolean;
}

/** Parsed options: strings and booleans by long name. */
export type OptionValues = Record<string, string | boolean | undefined>;

/**
 * A subcommand of `pofa`: its name, help, options and what it does. `run` returns the exit code.
 *
 * @example
 * ```ts
 * const hello: Command = {
 *   name: 'hello', summary: 'Say hello', usage: 'pofa hello [--name NAME]',
 *   options: { name: { type: 'string', value: 'NAME', description: 'Who to greet' } },
 *   run: async ({ options }, io) => { io.stdout.write(`hello ${options.name ?? 'world'}\n`); return 0; },
 * };
 * ```
 */
export interface Command {
  name: string;
  /** One line for `pofa --help`. */
  summary: string;
  /** The usage line(s). */
  usage: string;
  /** A longer description for `pofa <command> --help`. */
  description?: string;
  options: Record<string, CommandOption>;
  /**
   * True for a command that does not watch `io.signal` (it reads, scores or writes in one go):
   * `pofa` then ends it at once on Ctrl-C or SIGTERM, removing its temporary outputs (exit 130).
   * Others stop at their next step, their checkpoints intact.
   */
  exitOnSignal?: boolean;
  /** Names of the positional arguments, in order (`FILE`); more than these is a usage error. */
  positionals?: { name: string; required: boolean }[];
  run(invocation: { options: OptionValues; positionals: string[]; lists?: Record<string, string[]> }, io: CliIo): Promise<number>;
}
