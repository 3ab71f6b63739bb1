import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import { createModelConfig, MODEL_PRESETS, readConfigJson, resolveArchitecture } from '@pofa/models';
import type { CliIo } from '../cli/command';

/**
 * Checks a Hugging Face directory a run will read later (`--model DIR`, `--teacher DIR`) before
 * any work: config.json readable, an architecture pofa loads, sizes that build a model; a teacher
 * must have a task head (a masked-LM model's head would be drawn at random and distilled).
 * Without this, a wrong path fails after the stages before it have run, and leaves their run folder.
 *
 * @example
 * ```ts
 * await checkCheckpointOption('teacher-sst2', '--teacher teacher-sst2', { taskHead: true }); // CheckpointError for a .pofa file
 * ```
 */
export async function checkCheckpointOption(dir: string, label: string, options: { taskHead: boolean }): Promise<void> {
  const config = await readConfigJson(dir);
  const { family, task } = resolveArchitecture(config, undefined, `${dir}/config.json`);
  createModelConfig({ ...config, model_type: family });
  if (options.taskHead && (task === 'masked-lm' || task === 'base')) {
    throw new ConfigError(`${label} has no task head`, {
      expected: 'a dense model fine-tuned on the task (a sequence-classification head, or question answering for squad)',
      received: `a ${task} model`,
      hint: 'Fine-tune it on the task first (pofa transfer --no-int8 writes one), or drop --teacher to let pofa fine-tune its own',
    });
  }
}

/**
 * The checkpoint options of `pofa compress` and `pofa pretrain`, checked before any work (see
 * {@link checkCheckpointOption}): `--teacher DIR`, and `--model` when it is not a preset name.
 *
 * @example
 * ```ts
 * await checkRunCheckpoints({ model: 'bert-mini', teacher: 'teacher' }, io);
 * ```
 */
export async function checkRunCheckpoints(settings: { model?: string; teacher?: string }, io: CliIo): Promise<void> {
  // A --model that is neither a preset nor a path is left to the run, whose message lists the presets.
  const model = settings.model === undefined || settings.model in MODEL_PRESETS ? undefined : resolve(io.cwd, settings.model);
  if (model !== undefined && (await stat(model).then(() => true, () => false))) await checkCheckpointOption(model, `--model ${settings.model}`, { taskHead: false });
  if (settings.teacher !== undefined) await checkCheckpointOption(resolve(io.cwd, settings.teacher), `--teacher ${settings.teacher}`, { taskHead: true });
}
