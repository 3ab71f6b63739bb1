import type { CliIo } from './command';

/**
 * An in-memory {@link CliIo} for tests: what the CLI writes, collected as text.
 *
 * @example
 * ```ts
 * const io = createTestIo('/tmp');
 * await runCli(['--help'], io, COMMANDS);
 * io.out(); // the help
 * ```
 */
export function createTestIo(cwd: string, env: Record<string, string | undefined> = {}): CliIo & { out(): string; err(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    env,
    cwd,
    out: () => stdout.join(''),
    err: () => stderr.join(''),
  };
}
