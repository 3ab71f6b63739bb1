import type { LabelTyping } from '@pofa/tasks';
import type { CommandOption, OptionValues } from '../cli/command';
import { UsageError } from '../errors/usage-error';

/**
 * `--classes` and `--regression`: how the labels of a `--task FILE` are typed when the default
 * (integers are classes, other numbers regression targets, words classes) is not what is meant.
 *
 * @example
 * ```ts
 * const options = { ...LABEL_OPTIONS, task: TASK_OPTION };
 * ```
 */
export const LABEL_OPTIONS: Record<'classes' | 'regression', CommandOption> = {
  classes: { type: 'boolean', description: 'A --task FILE: every label is a class name, numbers too' },
  regression: { type: 'boolean', description: 'A --task FILE: labels are numeric targets (integers too)', defaultText: 'integers are classes, other numbers regression' },
};

/**
 * The {@link LabelTyping} a command line asks for, or undefined; both flags at once are a {@link UsageError}.
 *
 * @example
 * ```ts
 * labelTypingFromCommandLine({ regression: true }); // 'regression'
 * ```
 */
export function labelTypingFromCommandLine(options: OptionValues): LabelTyping | undefined {
  if (options.classes === true && options.regression === true) throw new UsageError('--classes and --regression contradict each other', { hint: 'Pass one of them' });
  if (options.classes === true) return 'classes';
  return options.regression === true ? 'regression' : undefined;
}
