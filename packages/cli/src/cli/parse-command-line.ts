import { parseArgs } from 'node:util';
import { closestMatches } from '@pofa/core';
import { UsageError } from '../errors/usage-error';
import type { Command, OptionValues } from './command';

/** What every command accepts besides its own options. */
export const HELP_OPTION = { type: 'boolean', short: 'h', description: 'Show this help' } as const;

function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const matches = closestMatches(input, candidates);
  return matches.length === 0 ? undefined : `Did you mean ${matches.join(' or ')}?`;
}

function unknownOption(command: Command, token: string): UsageError {
  const names = Object.keys(command.options).map((name) => `--${name}`);
  const hint = didYouMean(token.split('=')[0], names);
  return new UsageError(`Unknown option ${token} for pofa ${command.name}`, {
    expected: names.length === 0 ? 'no options' : `one of ${names.join(', ')}`,
    hint: `${hint === undefined ? '' : `${hint} `}See pofa ${command.name} --help`,
  });
}

/**
 * `--seed -5` as `--seed=-5`: `parseArgs` reads a value that starts with a dash as an option, and
 * would report "needs a value" where the value is a negative number (which the option's own check
 * then names).
 */
function joinNegativeValues(command: Command, argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index];
    if (token === '--') return [...args, ...argv.slice(index)];
    const next = argv[index + 1];
    const option = token.startsWith('--') ? command.options[token.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      args.push(`${token}=${next}`);
      index += 1;
    } else {
      args.push(token);
    }
  }
  return args;
}

/**
 * Reads a command's arguments with `node:util` `parseArgs` (strict): unknown options, options
 * missing their value, and extra positionals become a {@link UsageError} naming the problem
 * and, where one is close, the option meant. An option declared `multiple` may repeat: `lists`
 * holds every value, `options` the last.
 *
 * @example
 * ```ts
 * const { options, positionals } = parseCommandLine(inspectCommand, ['model.safetensors']);
 * ```
 */
export function parseCommandLine(
  command: Command,
  argv: readonly string[],
): { options: OptionValues; positionals: string[]; help: boolean; lists: Record<string, string[]> } {
  const repeatable = new Set(Object.entries(command.options).filter(([, option]) => option.multiple === true && option.type === 'string').map(([name]) => name));
  const options = Object.fromEntries(
    Object.entries({ ...command.options, help: HELP_OPTION }).map(([name, option]) => [
      name,
      { type: option.type, ...(option.short === undefined ? {} : { short: option.short }), ...(repeatable.has(name) ? { multiple: true } : {}) },
    ]),
  );
  let parsed: { values: OptionValues; positionals: string[] };
  const lists: Record<string, string[]> = {};
  try {
    const raw = parseArgs({ args: joinNegativeValues(command, argv), options, strict: true, allowPositionals: true }) as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
    const values: OptionValues = {};
    for (const [name, value] of Object.entries(raw.values)) {
      if (Array.isArray(value)) {
        lists[name] = value;
        values[name] = value.at(-1);
      } else {
        values[name] = value;
      }
    }
    parsed = { values, positionals: raw.positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const token = /'([^']+)'/.exec(message)?.[1] ?? message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw unknownOption(command, token);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = /--([\w-]+)/.exec(message)?.[1];
      const option = name === undefined ? undefined : command.options[name];
      throw new UsageError(`Option ${name === undefined ? token : `--${name}`} of pofa ${command.name} ${option?.type === 'boolean' ? 'takes no value' : 'needs a value'}`, {
        expected: option?.type === 'boolean' ? `--${name}` : `--${name} ${option?.value ?? 'VALUE'}`,
        hint: `See pofa ${command.name} --help`,
      });
    }
    throw new UsageError(`Cannot read the arguments of pofa ${command.name}: ${message}`, { hint: `See pofa ${command.name} --help` });
  }
  const { help, ...values } = parsed.values;
  if (help === true) return { options: values, positionals: parsed.positionals, help: true, lists };
  const expected = command.positionals ?? [];
  if (parsed.positionals.length > expected.length) {
    throw new UsageError(`Unexpected argument ${JSON.stringify(parsed.positionals[expected.length])} for pofa ${command.name}`, {
      expected: expected.length === 0 ? 'options only' : `at most ${expected.map((item) => item.name).join(' ')}`,
      hint: `See pofa ${command.name} --help`,
    });
  }
  const missing = expected.slice(parsed.positionals.length).find((item) => item.required);
  if (missing !== undefined) {
    throw new UsageError(`pofa ${command.name} needs ${missing.name}`, { expected: command.usage, hint: `See pofa ${command.name} --help` });
  }
  return { options: values, positionals: parsed.positionals, help: false, lists };
}

/**
 * The command named `name`, or a {@link UsageError} listing the commands (with the closest one).
 *
 * @example
 * ```ts
 * findCommand(COMMANDS, 'compres'); // throws: Unknown command "compres". Did you mean compress?
 * ```
 */
export function findCommand(commands: readonly Command[], name: string): Command {
  const command = commands.find((candidate) => candidate.name === name);
  if (command !== undefined) return command;
  const names = commands.map((candidate) => candidate.name);
  const hint = didYouMean(name, names);
  throw new UsageError(`Unknown command ${JSON.stringify(name)}`, {
    expected: `one of ${names.join(', ')}`,
    hint: `${hint === undefined ? '' : `${hint} `}See pofa --help`,
  });
}

/** `a positive integer`, `an integer from 1 to 4096`, `a number from 0 to 0.999`, `a number >= 0`. */
function numberRange(min: number, max: number, integer: boolean): string {
  const kind = integer ? 'integer' : 'number';
  if (integer && min === 1 && max === Infinity) return 'a positive integer';
  if (integer && min === 0 && max === Infinity) return 'a non-negative integer';
  if (Number.isFinite(min) && Number.isFinite(max)) return `${integer ? 'an' : 'a'} ${kind} from ${min} to ${max}`;
  if (Number.isFinite(min)) return `${integer ? 'an' : 'a'} ${kind} >= ${min}`;
  if (Number.isFinite(max)) return `${integer ? 'an' : 'a'} ${kind} <= ${max}`;
  return `${integer ? 'an' : 'a'} ${kind}`;
}

/**
 * A number option: absent gives `fallback`; anything that is not a finite number in range is a
 * {@link UsageError}.
 *
 * @example
 * ```ts
 * numberOption({ sparsity: '0.9' }, 'sparsity', { fallback: 0.9, min: 0, max: 0.999 }); // 0.9
 * ```
 */
export function numberOption(
  options: OptionValues,
  name: string,
  settings: { fallback?: number; min?: number; max?: number; integer?: boolean },
): number | undefined {
  const raw = options[name];
  if (raw === undefined) return settings.fallback;
  const value = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = settings;
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`Invalid value for --${name}: must be ${numberRange(min, max, integer)} (got ${typeof raw !== 'string' ? 'no value' : raw.trim() === '' ? 'an empty value' : raw})`);
  }
  return value;
}

/**
 * A string option restricted to some values (a {@link UsageError} otherwise).
 *
 * @example
 * ```ts
 * choiceOption({ pattern: '4x1' }, 'pattern', ['unstructured', '4x1', '2:4'], 'unstructured'); // '4x1'
 * ```
 */
export function choiceOption<Choice extends string>(options: OptionValues, name: string, choices: readonly Choice[], fallback: Choice): Choice {
  const raw = options[name];
  if (raw === undefined) return fallback;
  if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as Choice;
  const hint = didYouMean(String(raw), choices);
  throw new UsageError(`Invalid value for --${name}`, {
    expected: `one of ${choices.join(', ')}`,
    received: JSON.stringify(raw),
    ...(hint === undefined ? {} : { hint }),
  });
}
