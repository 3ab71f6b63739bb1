import { ConfigError, createMaskTransform, MASK_TRANSFORM_KIND, tf } from '@pofa/core';
import { createModelConfig } from '../config/presets';
import { createModel, type EncoderModel } from '../model';

/** Which entries of a parameter survive: `indices` along `axis`. */
export interface ParameterSlice {
  axis: number;
  indices: number[];
}

/**
 * A new model of `config` holding `model`'s raw weights, sliced where `slices` says; mask
 * transforms are sliced the same way and carried over. Other transforms cannot be sliced,
 * so a parameter carrying one is a `ConfigError`.
 */
export function rebuildSliced(model: EncoderModel, config: Record<string, unknown>, slices: ReadonlyMap<string, ParameterSlice>): EncoderModel {
  for (const [name, parameter] of model.namedParameters()) {
    const other = parameter.transforms.find((transform) => transform.kind !== MASK_TRANSFORM_KIND);
    if (other !== undefined) {
      throw new ConfigError(`Cannot remove structure from a model whose parameter ${name} has a ${other.kind} transform`, {
        expected: `only ${MASK_TRANSFORM_KIND} transforms (they are sliced and kept)`,
        received: other.kind,
        hint: 'Remove structure before adding quantization, or squash() the parameter first',
      });
    }
  }
  const rebuilt = createModel(createModelConfig(config), { task: model.task, pooler: model.family === 'bert' ? model.pooler !== undefined : undefined });
  const old = new Map(model.namedParameters());
  const slice = (name: string, tensor: tf.Tensor): tf.Tensor => {
    const cut = slices.get(name);
    return cut === undefined ? tf.clone(tensor) : tf.gather(tensor, tf.tensor1d(cut.indices, 'int32'), cut.axis);
  };
  try {
    for (const [name, parameter] of rebuilt.namedParameters()) {
      const source = old.get(name);
      if (source === undefined) throw new ConfigError(`The rebuilt model has a parameter the original lacks: ${name}`, { expected: 'the same parameter names', received: name });
      tf.tidy(() => parameter.assign(slice(name, source.variable)));
      for (const transform of source.transforms) {
        const mask = transform.state?.().mask;
        if (mask !== undefined) parameter.addTransform(createMaskTransform(tf.tidy(() => slice(name, mask))));
      }
    }
  } catch (error) {
    rebuilt.dispose();
    throw error;
  }
  return model.training ? rebuilt.train() : rebuilt.eval();
}
