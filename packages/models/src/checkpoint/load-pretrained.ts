import { join } from 'node:path';
import { CheckpointError, ConfigError, drawDeferred, tf, type Module, type Parameter, type Registry } from '@pofa/core';
import { z } from 'zod';
import { encoderWeightCount } from '../config/encoder-weight-count';
import { createModelConfig } from '../config/presets';
import { TASK_NAMES, type TaskName } from '../features';
import { createModel, type EncoderModel } from '../model';
import { architectureName, resolveArchitecture } from './architectures';
import { loadRegisteredFamily, registeredFamilyFor } from './load-registered-family';
import { fromHuggingFaceNames, HEAD_PREFIXES } from './hf-names';
import { checkpointWeightCount, readCheckpointTensors, readConfigJson } from './read-checkpoint-files';

/** Options of {@link loadPretrained}. */
export const loadPretrainedOptionsSchema = z
  .object({
    /** The head to build (default: the one of `architectures[0]`). */
    task: z.enum(TASK_NAMES as [TaskName, ...TaskName[]]).optional(),
    /** Labels of a classification head (a new head when it differs from the checkpoint's). */
    numLabels: z.number().int().positive().optional(),
    /** Seed of the weights of newly initialised heads (default 0). */
    seed: z.number().int().optional(),
  })
  .strict();

export type LoadPretrainedOptions = z.input<typeof loadPretrainedOptionsSchema>;

/** What {@link loadPretrained} returns: an `EncoderModel`, or any `Module` when a registry is given. */
export interface LoadPretrainedResult<Model extends Module = EncoderModel> {
  /** The model, in eval mode. */
  model: Model;
  /** Parameters not in the checkpoint (a new head or pooler, freshly initialised). */
  missing: string[];
  /** Checkpoint tensors the model has no place for (another head), under pofa's names. */
  unexpected: string[];
  /** What else happened: tied or buffer tensors dropped, heads re-initialised, parts ignored. */
  notes: string[];
}

/**
 * Loads a Hugging Face BERT or DistilBERT checkpoint directory (`config.json` +
 * `model.safetensors`, or sharded with `model.safetensors.index.json`). The architecture
 * comes from `architectures` (or `model_type`); `task` picks another head, whose weights are
 * then new. Missing weights outside the heads (and BERT's pooler) are a
 * {@link CheckpointError}. Needs an initialised backend.
 *
 * With `registry`, a `model_type` other than `bert` and `distilbert` is looked up among the
 * registered model families (`ModelFamily.modelType`): that family parses `config.json`,
 * creates the model, and gets every weight by its dotted name (a missing one is a
 * {@link CheckpointError}); `task` and `numLabels` are then refused, since the family's
 * config describes its heads. Without `registry` such a checkpoint is a `CheckpointError`.
 *
 * @example
 * ```ts
 * const { model, missing } = await loadPretrained('checkpoints/bert-base-uncased', { task: 'sequence-classification', numLabels: 2 });
 * console.log(missing); // ['pooler.dense.weight', ..., 'classifier.bias'] for an MLM checkpoint
 * registry.register('model-family', tinyFamily); // modelType 'acme-tiny'
 * const { model: tiny } = await loadPretrained('checkpoints/acme-tiny', { registry }); // built by tinyFamily
 * ```
 */
export async function loadPretrained(dir: string, options: LoadPretrainedOptions & { registry: Registry }): Promise<LoadPretrainedResult<Module>>;
export async function loadPretrained(dir: string, options?: LoadPretrainedOptions & { registry?: undefined }): Promise<LoadPretrainedResult>;
export async function loadPretrained(dir: string, options: LoadPretrainedOptions & { registry?: Registry } = {}): Promise<LoadPretrainedResult<Module>> {
  const { registry, ...rest } = options ?? {};
  if (registry !== undefined && (typeof registry.list !== 'function' || typeof registry.get !== 'function')) {
    throw new ConfigError('Invalid loadPretrained options: registry', { expected: 'a registry from createRegistry() of @pofa/core', received: typeof registry });
  }
  const parsed = loadPretrainedOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new ConfigError('Invalid loadPretrained options', { expected: 'task, numLabels, seed, registry', received: parsed.error.issues[0].message });
  }
  const { task, numLabels, seed } = parsed.data;
  const raw = await readConfigJson(dir);
  const family = registry === undefined ? undefined : registeredFamilyFor(raw, registry, join(dir, 'config.json'));
  if (family !== undefined) {
    if (task !== undefined || numLabels !== undefined) {
      throw new ConfigError(`loadPretrained: task and numLabels apply to BERT and DistilBERT, not to the model family ${family.name}`, {
        expected: 'no task or numLabels',
        received: JSON.stringify({ task, numLabels }),
        hint: `Describe the heads of a ${family.name} model in its config.json`,
      });
    }
    return loadRegisteredFamily(dir, raw, family);
  }
  const architecture = resolveArchitecture(raw, task, join(dir, 'config.json'));
  // The config describes the model built: with another head than the checkpoint's, its
  // `architectures` names that head (as savePretrained writes it), not the checkpoint's.
  const config = createModelConfig({ ...raw, model_type: architecture.family, architectures: [architectureName(architecture.family, architecture.task)] });
  // A config.json that describes far more weights than the files hold (a hostile or mistyped size:
  // hidden_size 2^20, num_labels 2^40) is refused before the model is built, which would allocate
  // them; a near miss (one layer too many) is built and named weight by weight below.
  const held = await checkpointWeightCount(dir);
  const encoder = encoderWeightCount(config);
  const head = (numLabels ?? config.num_labels) * ('hidden_size' in config ? config.hidden_size : config.dim);
  if (encoder > 2 * held || head > held) {
    throw new CheckpointError(`${join(dir, 'config.json')} describes a far larger model than the weights beside it`, {
      expected: `sizes whose encoder fits in twice and head in once the ${held} weights of the checkpoint`,
      received: encoder > held
        ? `an encoder of at least ${encoder} weights (vocab_size, hidden_size, layers, intermediate size, max_position_embeddings, type_vocab_size)`
        : `a head of ${head} weights (num_labels × hidden size)`,
      hint: 'Use the config.json saved with these weights',
    });
  }
  const tensors = await readCheckpointTensors(dir);
  // Weights start at zero (nothing drawn) and are all overwritten below; a model with new weights
  // (a new head) is built again with deferred draws, and only those weights get the values the
  // seeded initialisation gives them.
  let model = createModel(config, { task: architecture.task, numLabels, seed, initialize: false });
  try {
    const { state, dropped } = fromHuggingFaceNames(architecture.family, tensors);
    const notes = dropped.map((name) => `dropped ${name}`);
    if (architecture.note !== undefined) notes.push(architecture.note);
    const parameters = new Map(model.namedParameters());
    const heads = HEAD_PREFIXES[architecture.family];
    const headOf = (name: string): string | undefined => heads.find((prefix) => name.startsWith(prefix));
    for (const [name, tensor] of Object.entries(state)) {
      const parameter = parameters.get(name);
      if (parameter === undefined || tf.util.arraysEqual(parameter.shape, tensor.shape)) continue;
      if (headOf(name) === undefined) {
        throw new CheckpointError(`${join(dir, 'config.json')} does not match the weights beside it`, {
          expected: `${name} of shape [${parameter.shape.join(', ')}], as config.json describes it`,
          received: `shape [${tensor.shape.join(', ')}] in the checkpoint`,
          hint: 'Use the config.json saved with these weights (vocab_size, hidden_size, intermediate_size, max_position_embeddings must match)',
        });
      }
      notes.push(`re-initialised ${name}: checkpoint shape [${tensor.shape.join(', ')}], model shape [${parameter.shape.join(', ')}]`);
      delete state[name];
    }
    const missing = [...parameters.keys()].filter((name) => !(name in state));
    const unexpected = Object.keys(state).filter((name) => !parameters.has(name));
    const broken = missing.filter((name) => {
      const head = headOf(name);
      // A head is new when the checkpoint has nothing under its prefix; a partly present head is broken.
      return head === undefined || Object.keys(state).some((key) => key.startsWith(head));
    });
    if (broken.length > 0) {
      throw new CheckpointError(`Checkpoint ${dir} lacks weights the model needs`, {
        expected: `every encoder weight of ${architecture.family} (${architecture.task})`,
        received: `missing ${broken.slice(0, 8).join(', ')}${broken.length > 8 ? ` and ${broken.length - 8} more` : ''}`,
        hint: 'Check that config.json belongs to these weights and that no shard is missing',
      });
    }
    if (missing.length > 0) {
      model.dispose();
      model = createModel(config, { task: architecture.task, numLabels, seed, initialize: 'deferred' });
      const fresh = new Map(model.namedParameters());
      for (const name of missing) drawDeferred(fresh.get(name) as Parameter);
    }
    const known: Record<string, tf.Tensor> = {};
    for (const [name, tensor] of Object.entries(state)) if (parameters.has(name)) known[name] = tensor;
    model.loadStateDict(known, { strict: false });
    if (missing.length > 0) notes.push(`initialised new weights: ${missing.join(', ')}`);
    model.eval();
    return { model, missing, unexpected, notes };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    for (const tensor of Object.values(tensors)) tensor.dispose();
  }
}
