import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import type { Command, CliIo, OptionValues } from '../cli/command';
import { initCliBackend } from '../pipeline/backend';
import { runCompress } from '../pipeline/compress';
import { compressOptionsSchema, type CompressOptions } from '../pipeline/compress-options';
import type { OutputTarget } from '../pipeline/output-target';
import { checkRunFolder } from '../run-folder';
import { compressCommand, compressOptionsFromCommandLine, printCompressResult } from './compress';
import { checkRunCheckpoints } from './checkpoint-options';
import { checkCacheFolder, checkJsonOutput, FORCE_OPTION, refuseOtherCommandsRun } from './output-options';

type Until = 'pretrain' | 'prune' | 'finetune' | undefined;

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

async function savedRun(out: string): Promise<{ settings: unknown; completed: boolean } | undefined> {
  try {
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { settings?: unknown; completed?: boolean };
    return { settings: run.settings ?? {}, completed: run.completed === true };
  } catch {
    return undefined;
  }
}

async function runStage(settings: CompressOptions, until: Until, io: CliIo, json?: OutputTarget): Promise<number> {
  await initCliBackend();
  const result = await runCompress({ ...settings, ...(until === undefined ? {} : { until }) }, { progress: io.stderr, env: io.env, cwd: io.cwd, signal: io.signal });
  await printCompressResult(result, io, json);
  return 0;
}

/**
 * `pofa pretrain`: stage 1 of `pofa compress` (WordPiece vocabulary and the dense teacher
 * pre-trained with masked LM, both cached). Takes every option of `pofa compress`; they are saved
 * in the run folder, and the next stage commands read them from there.
 *
 * @example
 * ```ts
 * await runCli(['pretrain', '--task', 'spam', '--out', 'run'], io, COMMANDS);
 * ```
 */
export const pretrainCommand: Command = {
  name: 'pretrain',
  summary: 'Stage 1 of compress: vocabulary and dense teacher pre-training (masked LM), in a new run folder',
  usage: 'pofa pretrain [compress options] [--out DIR]',
  description: [
    'Starts a run as pofa compress does (same options, saved in --out) and stops after the dense teacher',
    'is pre-trained with masked LM. Continue with pofa prune, pofa finetune and pofa quantize --out DIR.',
  ].join('\n'),
  options: Object.fromEntries(Object.entries(compressCommand.options).filter(([name]) => name !== 'resume' && name !== 'json')),
  async run({ options }, io) {
    const settings = compressOptionsFromCommandLine(options);
    const out = settings.out ?? 'pofa-out';
    const saved = await savedRun(resolve(io.cwd, out));
    await checkRunFolder(resolve(io.cwd, out), { label: `--out ${out}`, force: options.force === true, resume: false });
    await refuseOtherCommandsRun(resolve(io.cwd, out), `--out ${out}`, 'compress', options.force === true);
    await checkCacheFolder(options, io);
    await checkRunCheckpoints(settings, io);
    // An unfinished run in --out is continued (same options) rather than refused.
    return runStage({ ...settings, resume: saved !== undefined && !saved.completed }, 'pretrain', io);
  },
};

function laterStage(name: string, until: Until, summary: string, description: string): Command {
  return {
    name,
    summary,
    usage: `pofa ${name} [--out DIR] [--cache DIR]${until === undefined ? ' [--json FILE]' : ''}`,
    description: `${description}\nThe options are those given to pofa pretrain, read from the run folder; stages the run has not finished yet run first.`,
    options: {
      out: compressCommand.options.out,
      cache: compressCommand.options.cache,
      ...(until === undefined ? { json: compressCommand.options.json, force: FORCE_OPTION } : {}),
    },
    async run({ options }: { options: OptionValues }, io) {
      const out = text(options.out) ?? 'pofa-out';
      const saved = await savedRun(resolve(io.cwd, out));
      if (saved === undefined) {
        throw new ConfigError(`No run to continue in ${out}`, {
          expected: `a run folder started by pofa pretrain (or pofa compress)`,
          received: 'no run.json',
          hint: `Start with pofa pretrain --out ${out}`,
        });
      }
      const parsed = compressOptionsSchema.safeParse(saved.settings);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(`The run.json of ${out} has settings this pofa cannot read`, {
          expected: 'the settings pofa pretrain saved',
          received: issue === undefined ? 'other settings' : `${issue.path.join('.') || 'settings'}: ${issue.message}`,
          hint: `Start the run again with pofa pretrain --out ${out} (delete the folder first)`,
        });
      }
      const settings = parsed.data;
      const cache = text(options.cache);
      const json = await checkJsonOutput(options, io);
      await checkCacheFolder(options, io);
      return runStage({ ...settings, out, resume: true, ...(cache === undefined ? {} : { cache }) }, until, io, json);
    },
  };
}

/**
 * `pofa prune`: stage 2, sparse pre-training of the run in `--out` (distillation + gradual magnitude pruning).
 *
 * @example
 * ```ts
 * await runCli(['prune', '--out', 'run'], io, COMMANDS);
 * ```
 */
export const pruneCommand: Command = laterStage('prune', 'prune', 'Stage 2 of compress: sparse pre-training (distillation + gradual magnitude pruning)', 'Sparse pre-training of the run in --out.');

/**
 * `pofa finetune`: stage 3, teacher fine-tuning (cached) and sparse transfer with pattern lock and task distillation.
 *
 * @example
 * ```ts
 * await runCli(['finetune', '--out', 'run'], io, COMMANDS);
 * ```
 */
export const finetuneCommand: Command = laterStage('finetune', 'finetune', 'Stage 3 of compress: sparse transfer to the task (pattern lock + task distillation)', 'Fine-tunes the dense teacher on the task (cached), then transfers the sparse model with pattern lock and task distillation.');

/**
 * `pofa quantize`: stage 4, QAT to int8, the `.pofa` bundles and the table; completes the run.
 *
 * @example
 * ```ts
 * await runCli(['quantize', '--out', 'run', '--json', 'rows.json'], io, COMMANDS);
 * ```
 */
export const quantizeCommand: Command = laterStage('quantize', undefined, 'Stage 4 of compress: QAT to int8, .pofa bundles and the table (completes the run)', 'Quantization-aware training of the sparse model, then the bundles, latencies and the table of pofa compress.');
