import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckpointError } from '../errors/checkpoint-error';
import { PofaError } from '../errors/pofa-error';
import { readSafetensors, writeSafetensors } from '../io/safetensors';
import type { Modifier } from '../lifecycle/modifier';
import type { Module } from '../nn/module';
import { tf } from '../tensor/tf';
import type { AdamW } from './adamw';
import { CHECKPOINT_FILES, writeCheckpointDirectory } from './checkpoint-files';
import { restoreTransforms, transformStateTensors } from './checkpoint-transforms';

/**
 * The `format` field of `trainer.json`.
 *
 * @example
 * ```ts
 * JSON.parse(text).format === CHECKPOINT_FORMAT;
 * ```
 */
export const CHECKPOINT_FORMAT = 'pofa-trainer-checkpoint';
/**
 * The `version` field of `trainer.json` this code writes and reads.
 *
 * @example
 * ```ts
 * JSON.parse(text).version === CHECKPOINT_VERSION;
 * ```
 */
export const CHECKPOINT_VERSION = 1;

const uint32 = z.number().int().min(0).max(0xffffffff);
const randomState = z.tuple([uint32, uint32, uint32, uint32]);

/**
 * The schema of `trainer.json`.
 *
 * @example
 * ```ts
 * const { step } = trainerCheckpointSchema.parse(JSON.parse(await readFile('checkpoint-300/trainer.json', 'utf8')));
 * ```
 */
export const trainerCheckpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  step: z.number().int().min(0),
  settings: z.object({
    seed: z.number().int(),
    batchSize: z.number().int().positive(),
    gradientAccumulation: z.number().int().positive(),
    dataSize: z.number().int().positive(),
  }),
  data: z.object({ epoch: z.number().int().min(0), offset: z.number().int().min(0), epochStart: randomState.nullable() }),
  random: randomState,
  schedule: z.object({ kind: z.string(), step: z.number().int().min(0) }),
  optimizer: z.object({ steps: z.record(z.number().int().positive()) }),
  modifiers: z.array(z.object({ kind: z.string(), json: z.unknown().optional() })),
});

/**
 * What `trainer.json` holds: the run's position and every non-tensor state.
 *
 * @example
 * ```ts
 * const saved: TrainerCheckpoint = await loadCheckpoint(dir, { model, optimizer, modifiers });
 * console.log(saved.data.epoch);
 * ```
 */
export type TrainerCheckpoint = z.infer<typeof trainerCheckpointSchema>;

/**
 * What a checkpoint saves and restores besides `trainer.json`.
 *
 * @example
 * ```ts
 * const subject: CheckpointSubject = { model, optimizer, modifiers: [] };
 * ```
 */
export interface CheckpointSubject {
  model: Module;
  optimizer: AdamW;
  modifiers: readonly Modifier[];
}

function modifierTensors(modifiers: readonly Modifier[]): { tensors: Record<string, tf.Tensor>; json: TrainerCheckpoint['modifiers'] } {
  const tensors: Record<string, tf.Tensor> = {};
  const json: TrainerCheckpoint['modifiers'] = [];
  modifiers.forEach((modifier, index) => {
    const state = modifier.state?.() ?? {};
    for (const [key, tensor] of Object.entries(state.tensors ?? {})) tensors[`${index}::${key}`] = tensor;
    json.push(state.json === undefined ? { kind: modifier.kind } : { kind: modifier.kind, json: state.json });
  });
  return { tensors, json };
}

/**
 * Writes `root/checkpoint-<step>/` atomically: the model's raw variables, the optimizer's
 * moments, the weight transforms' tensors, the modifiers' tensors and `trainer.json`.
 *
 * @example
 * ```ts
 * await saveCheckpoint('runs/a/checkpoints', 2, { model, optimizer, modifiers }, position);
 * ```
 */
export async function saveCheckpoint(
  root: string,
  keep: number,
  subject: CheckpointSubject,
  position: Omit<TrainerCheckpoint, 'format' | 'version' | 'optimizer' | 'modifiers'>,
): Promise<string> {
  const modifiers = modifierTensors(subject.modifiers);
  const trainer: TrainerCheckpoint = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    ...position,
    optimizer: { steps: subject.optimizer.stepCounts() },
    modifiers: modifiers.json,
  };
  const metadata = { format: CHECKPOINT_FORMAT, step: String(position.step) };
  return writeCheckpointDirectory(root, position.step, keep, async (directory) => {
    await writeSafetensors(join(directory, CHECKPOINT_FILES.model), subject.model.stateDict(), metadata);
    await writeSafetensors(join(directory, CHECKPOINT_FILES.optimizer), subject.optimizer.stateTensors(), metadata);
    await writeSafetensors(join(directory, CHECKPOINT_FILES.transforms), transformStateTensors(subject.model), metadata);
    await writeSafetensors(join(directory, CHECKPOINT_FILES.modifiers), modifiers.tensors, metadata);
    await writeFile(join(directory, CHECKPOINT_FILES.trainer), `${JSON.stringify(trainer, null, 2)}\n`);
  });
}

async function readTensors(directory: string, file: string): Promise<Record<string, tf.Tensor>> {
  try {
    return await readSafetensors(join(directory, file));
  } catch (error) {
    throw new CheckpointError(`Cannot read ${join(directory, file)}`, {
      expected: 'a readable, valid safetensors file',
      received: PofaError.isInstance(error) || error instanceof Error ? error.message : String(error),
      hint: 'The checkpoint is corrupt: delete this checkpoint directory to resume from an older one',
      cause: error,
    });
  }
}

async function readTrainerJson(directory: string): Promise<TrainerCheckpoint> {
  const path = join(directory, CHECKPOINT_FILES.trainer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(`Cannot read ${path}`, {
      expected: 'a JSON file',
      received: error instanceof Error ? error.message : String(error),
      hint: 'The checkpoint is corrupt: delete this checkpoint directory to resume from an older one',
      cause: error,
    });
  }
  const result = trainerCheckpointSchema.safeParse(parsed);
  if (!result.success) {
    throw new CheckpointError(`Invalid ${path}`, {
      expected: `a ${CHECKPOINT_FORMAT} file of version ${CHECKPOINT_VERSION}`,
      received: result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '),
    });
  }
  return result.data;
}

function mismatch(path: string, what: string, problems: string[], hint: string): CheckpointError {
  return new CheckpointError(`${path} does not match the ${what}`, { expected: `the ${what}'s names and shapes`, received: problems.join('; '), hint });
}

function checkModel(path: string, model: Module, tensors: Record<string, tf.Tensor>): void {
  const parameters = new Map(model.namedParameters());
  const problems: string[] = [];
  const missing = [...parameters.keys()].filter((name) => !(name in tensors));
  const unexpected = Object.keys(tensors).filter((name) => !parameters.has(name));
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  if (unexpected.length > 0) problems.push(`unexpected ${unexpected.join(', ')}`);
  for (const [name, tensor] of Object.entries(tensors)) {
    const parameter = parameters.get(name);
    if (parameter !== undefined && !tf.util.arraysEqual(parameter.shape, tensor.shape)) {
      problems.push(`${name} is [${tensor.shape.join(', ')}], the model has [${parameter.shape.join(', ')}]`);
    }
  }
  if (problems.length > 0) throw mismatch(path, 'model', problems, 'Resume with the same architecture the checkpoint was saved from');
}

function checkOptimizer(path: string, model: Module, tensors: Record<string, tf.Tensor>, steps: Record<string, number>): void {
  const parameters = new Map(model.namedParameters());
  const problems: string[] = [];
  for (const name of Object.keys(steps)) {
    const parameter = parameters.get(name);
    if (parameter === undefined) problems.push(`moments for ${name}, which the model lacks`);
    for (const key of [`${name}::exp_avg`, `${name}::exp_avg_sq`]) {
      const tensor = tensors[key];
      if (tensor === undefined) problems.push(`missing ${key}`);
      else if (parameter !== undefined && !tf.util.arraysEqual(parameter.shape, tensor.shape)) problems.push(`${key} has shape [${tensor.shape.join(', ')}]`);
    }
  }
  const known = new Set(Object.keys(steps).flatMap((name) => [`${name}::exp_avg`, `${name}::exp_avg_sq`]));
  const unexpected = Object.keys(tensors).filter((key) => !known.has(key));
  if (unexpected.length > 0) problems.push(`unexpected ${unexpected.join(', ')} (no step count in trainer.json)`);
  if (problems.length > 0) throw mismatch(path, 'model', problems, 'The optimizer state must come from the same run as the model');
}

function checkModifiers(path: string, modifiers: readonly Modifier[], saved: TrainerCheckpoint['modifiers'], tensors: Record<string, tf.Tensor>): void {
  const problems: string[] = [];
  if (saved.length !== modifiers.length) problems.push(`${saved.length} modifiers saved, ${modifiers.length} given`);
  saved.forEach((entry, index) => {
    const modifier = modifiers[index];
    if (modifier !== undefined && modifier.kind !== entry.kind) problems.push(`modifier ${index} is ${entry.kind} in the checkpoint, ${modifier.kind} here`);
  });
  const hasState = (index: number) => saved[index]?.json !== undefined || Object.keys(tensors).some((key) => key.startsWith(`${index}::`));
  modifiers.forEach((modifier, index) => {
    if (hasState(index) && modifier.loadState === undefined) problems.push(`modifier ${index} (${modifier.kind}) has saved state but no loadState`);
  });
  const badKeys = Object.keys(tensors).filter((key) => !/^\d+::/.test(key) || Number(key.split('::')[0]) >= modifiers.length);
  if (badKeys.length > 0) problems.push(`tensors for no modifier: ${badKeys.join(', ')} (in ${CHECKPOINT_FILES.modifiers})`);
  if (problems.length > 0) {
    throw new CheckpointError(`${path} does not match the run's modifiers`, {
      expected: 'the same modifiers, in the same order, as the run that saved it',
      received: problems.join('; '),
    });
  }
}

function checkSettings(path: string, saved: TrainerCheckpoint['settings'], current: TrainerCheckpoint['settings']): void {
  const differences = (Object.keys(current) as Array<keyof TrainerCheckpoint['settings']>)
    .filter((key) => saved[key] !== current[key])
    .map((key) => `${key} ${saved[key]} in the checkpoint, ${current[key]} now`);
  if (differences.length > 0) {
    throw new CheckpointError(`${path} was saved by a run with other settings`, {
      expected: 'the seed, batch size, gradient accumulation and data size of the run that saved it',
      received: differences.join('; '),
      hint: 'Resume with the original settings, or start a new run in another checkpoint directory',
    });
  }
}

/**
 * Loads a checkpoint directory into `subject` and returns its `trainer.json`. Everything
 * is read and checked (against `settings` too, when given) before anything changes; then the model, the optimizer and the
 * modifiers' states are restored, and last the weight transforms (a modifier's `loadState`
 * may re-create the transforms it owns). A corrupt or mismatched file is a
 * {@link CheckpointError} naming the file and what is wrong.
 *
 * @example
 * ```ts
 * const trainer = await loadCheckpoint('runs/a/checkpoints/checkpoint-300', { model, optimizer, modifiers });
 * console.log(trainer.step); // 300
 * ```
 */
export async function loadCheckpoint(
  directory: string,
  subject: CheckpointSubject,
  settings?: TrainerCheckpoint['settings'],
): Promise<TrainerCheckpoint> {
  const trainer = await readTrainerJson(directory);
  if (settings !== undefined) checkSettings(join(directory, CHECKPOINT_FILES.trainer), trainer.settings, settings);
  const loaded: Record<keyof typeof CHECKPOINT_FILES, Record<string, tf.Tensor>> = { model: {}, optimizer: {}, transforms: {}, modifiers: {}, trainer: {} };
  try {
    for (const key of ['model', 'optimizer', 'transforms', 'modifiers'] as const) loaded[key] = await readTensors(directory, CHECKPOINT_FILES[key]);
    checkModel(join(directory, CHECKPOINT_FILES.model), subject.model, loaded.model);
    checkOptimizer(join(directory, CHECKPOINT_FILES.optimizer), subject.model, loaded.optimizer, trainer.optimizer.steps);
    checkModifiers(join(directory, CHECKPOINT_FILES.trainer), subject.modifiers, trainer.modifiers, loaded.modifiers);
    subject.model.loadStateDict(loaded.model);
    subject.optimizer.loadState({ tensors: loaded.optimizer, steps: trainer.optimizer.steps });
    subject.modifiers.forEach((modifier, index) => {
      const prefix = `${index}::`;
      const tensors = Object.fromEntries(
        Object.entries(loaded.modifiers)
          .filter(([key]) => key.startsWith(prefix))
          .map(([key, tensor]) => [key.slice(prefix.length), tensor]),
      );
      const json = trainer.modifiers[index]?.json;
      if (json !== undefined || Object.keys(tensors).length > 0) modifier.loadState?.({ json, tensors });
    });
    restoreTransforms(join(directory, CHECKPOINT_FILES.transforms), subject.model, loaded.transforms);
  } finally {
    for (const tensors of Object.values(loaded)) tf.dispose(Object.values(tensors));
  }
  return trainer;
}
