import { join } from 'node:path';
import {
  CheckpointError,
  findModelFamily,
  parseOptions,
  RegistryError,
  tf,
  type ModelFamily as RegisteredModelFamily,
  type Module,
  type Registry,
} from '@pofa/core';
import type { LoadPretrainedResult } from './load-pretrained';
import { readCheckpointTensors } from './read-checkpoint-files';

/** The model types pofa builds itself; the registry is asked only for the others. */
const BUILT_IN_MODEL_TYPES: readonly unknown[] = ['bert', 'distilbert', undefined];

/**
 * The registered model family that reads this `config.json`, or `undefined` when its
 * `model_type` is one of pofa's own (`bert`, `distilbert`, or none). Any other `model_type`
 * without a registered family is a {@link CheckpointError} listing the model types registered.
 *
 * @example
 * ```ts
 * registeredFamilyFor({ model_type: 'acme-tiny' }, registry, 'ckpt/config.json'); // the family registered for acme-tiny
 * registeredFamilyFor({ model_type: 'bert' }, registry, 'ckpt/config.json'); // undefined: pofa's BertModel
 * ```
 */
export function registeredFamilyFor(raw: Record<string, unknown>, registry: Registry, source: string): RegisteredModelFamily | undefined {
  const modelType = raw.model_type;
  if (BUILT_IN_MODEL_TYPES.includes(modelType)) return undefined;
  const family = typeof modelType === 'string' ? findModelFamily(registry, modelType) : undefined;
  if (family !== undefined) return family;
  const registered = registry.list('model-family').map((name) => JSON.stringify(registry.get('model-family', name).modelType));
  throw new CheckpointError(`No model family reads the model_type of ${source}`, {
    expected: `"bert", "distilbert"${registered.length === 0 ? ' (no model family is registered)' : ` or a registered model type (${registered.join(', ')})`}`,
    received: `model_type ${JSON.stringify(modelType)}`,
    hint: `Register the plugin that provides this model with registry.register('model-family', spec) before loading`,
  });
}

function assertModule(model: unknown, family: RegisteredModelFamily): asserts model is Module {
  const value = model as Partial<Module> | null;
  if (typeof value === 'object' && value !== null && typeof value.namedParameters === 'function' && typeof value.loadStateDict === 'function') return;
  throw new RegistryError(`The model family ${family.name} did not return a Module`, {
    expected: 'a Module of @pofa/core from create(config)',
    received: value === null ? 'null' : typeof value,
    hint: 'This is a bug in the plugin that registered this model family; its conformance suite (describeModelFamilyConformance) would catch it',
  });
}

/**
 * Loads a checkpoint folder with a registered model family: `config.json` parsed by the
 * family's `configSchema` (a `ConfigError` naming the key), `create(config)`, then every
 * parameter from `model.safetensors` (or its shards) by its dotted name. A missing weight or a
 * weight of another shape is a {@link CheckpointError}; tensors the model has no place for are
 * returned as `unexpected`. The model is in eval mode.
 *
 * @example
 * ```ts
 * const { model } = await loadRegisteredFamily('checkpoints/acme-tiny', raw, registry.get('model-family', 'acme/tiny'));
 * ```
 */
export async function loadRegisteredFamily(dir: string, raw: Record<string, unknown>, family: RegisteredModelFamily): Promise<LoadPretrainedResult<Module>> {
  const source = join(dir, 'config.json');
  const config = parseOptions(family.configSchema, raw, '', { subject: `${source} (model family ${family.name})`, hint: `Fix ${source}: the model family ${family.name} documents its keys` });
  const tensors = await readCheckpointTensors(dir);
  try {
    const model: unknown = family.create(config);
    assertModule(model, family);
    try {
      const parameters = new Map(model.namedParameters());
      const missing = [...parameters.keys()].filter((name) => !(name in tensors));
      const misshaped = [...parameters].filter(([name, parameter]) => name in tensors && !tf.util.arraysEqual(parameter.shape, tensors[name].shape));
      if (missing.length > 0 || misshaped.length > 0) {
        const problems = [
          ...(missing.length > 0 ? [`missing ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}`] : []),
          ...misshaped.map(([name, parameter]) => `${name} of shape [${tensors[name].shape.join(', ')}] where the model has [${parameter.shape.join(', ')}]`),
        ];
        throw new CheckpointError(`Checkpoint ${dir} does not fit the ${family.name} model its config.json describes`, {
          expected: `every parameter of ${family.name} under its dotted name, with the model's shape`,
          received: problems.join('; '),
          hint: 'Check that config.json belongs to these weights and that no shard is missing',
        });
      }
      const known = Object.fromEntries(Object.entries(tensors).filter(([name]) => parameters.has(name)));
      model.loadStateDict(known);
      model.eval();
      const unexpected = Object.keys(tensors).filter((name) => !parameters.has(name));
      return { model, missing: [], unexpected, notes: [`model_type ${JSON.stringify(raw.model_type)}: built by the registered model family ${family.name}`] };
    } catch (error) {
      model.dispose();
      throw error;
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
