import type { Command, CommandOption } from './command';
import { HELP_OPTION } from './parse-command-line';

/**
 * The help of one command: usage, description and an aligned option table.
 *
 * @example
 * ```ts
 * process.stdout.write(commandHelp(inspectCommand));
 * ```
 */
export function commandHelp(command: Command): string {
  const options: Record<string, CommandOption> = { ...command.options, help: HELP_OPTION };
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short === undefined ? '    ' : `-${option.short}, `}--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
    const fallback = option.defaultText === undefined ? '' : ` (default: ${option.defaultText})`;
    return [flag, `${option.description}${option.multiple === true ? ' (repeatable)' : ''}${fallback}`];
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  const lines = [`Usage: ${command.usage}`, '', command.description ?? command.summary, '', 'Options:'];
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The help of `pofa` itself: the commands with their summaries.
 *
 * @example
 * ```ts
 * process.stdout.write(programHelp(COMMANDS, '0.0.0'));
 * ```
 */
export function programHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = [
    `pofa ${version} — Prune Once for All: sparse pre-trained BERT-family models, compressed end to end`,
    '',
    'Usage: pofa <command> [options]',
    '       pofa compress            (runs the embedded default end to end)',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run pofa <command> --help for the options of a command.',
    'Environment: POFA_CACHE (cache directory), POFA_BACKEND (tensorflow, wasm, cpu), POFA_DEBUG=1 (stack traces).',
  ];
  return `${lines.join('\n')}\n`;
}
