import { ConfigError, createMaskTransform, MASK_TRANSFORM_KIND, tf, type MaskTransform, type Parameter } from '@pofa/core';
import { createModel, type EncoderModel } from '@pofa/models';
import { ELASTIC_WIDTH_TRANSFORM_KIND } from './elastic-width';

/**
 * The effective weight of a parameter at full width: every transform applied but the
 * elastic-width mask. The caller owns the returned tensor.
 *
 * @example
 * ```ts
 * const weight = fullWidthValue(model.getParameter('encoder.layer.0.output.dense.weight')!);
 * weight.dispose();
 * ```
 */
export function fullWidthValue(parameter: Parameter): tf.Tensor {
  return tf.tidy(() => {
    let weight: tf.Tensor = parameter.variable;
    for (const transform of parameter.transforms) if (transform.kind !== ELASTIC_WIDTH_TRANSFORM_KIND) weight = transform.apply(weight);
    return tf.clone(weight);
  });
}

function emptyCopy(model: EncoderModel): EncoderModel {
  return createModel(model.config, { task: model.task, pooler: model.family === 'bert' ? model.pooler !== undefined : undefined });
}

/**
 * A frozen copy of a model at full width to distil from: weights are the effective ones
 * (masks baked in, elastic-width masks ignored), no transforms, every parameter
 * non-trainable, eval mode. Dispose it when done.
 *
 * @example
 * ```ts
 * const teacher = createFrozenTeacher(reorderedModel);
 * ```
 */
export function createFrozenTeacher(model: EncoderModel): EncoderModel {
  const teacher = emptyCopy(model);
  const source = new Map(model.namedParameters());
  for (const [name, parameter] of teacher.namedParameters()) {
    const weight = fullWidthValue(source.get(name) as Parameter);
    parameter.assign(weight);
    weight.dispose();
    parameter.trainable = false;
    parameter.variable.trainable = false;
  }
  return teacher.eval();
}

/**
 * A full-width copy of a supernet: the raw weights and their sparsity masks (`core/mask`,
 * cloned), without the elastic-width masks, in eval mode. Any other transform is a
 * `ConfigError` (structure cannot be removed under a quantizer).
 *
 * @example
 * ```ts
 * const copy = cloneAtFullWidth(supernet);
 * ```
 */
export function cloneAtFullWidth(model: EncoderModel): EncoderModel {
  for (const [name, parameter] of model.namedParameters()) {
    const other = parameter.transforms.find((transform) => transform.kind !== MASK_TRANSFORM_KIND && transform.kind !== ELASTIC_WIDTH_TRANSFORM_KIND);
    if (other !== undefined) {
      throw new ConfigError(`Cannot copy ${name}: it has a ${other.kind} transform`, {
        expected: `only ${MASK_TRANSFORM_KIND} and ${ELASTIC_WIDTH_TRANSFORM_KIND} transforms`,
        received: other.kind,
        hint: 'Export sub-models before quantization-aware training, or squash() the parameter first',
      });
    }
  }
  const copy = emptyCopy(model);
  const source = new Map(model.namedParameters());
  for (const [name, parameter] of copy.namedParameters()) {
    const original = source.get(name) as Parameter;
    parameter.assign(original.variable);
    for (const transform of original.transforms) {
      if (transform.kind === MASK_TRANSFORM_KIND) parameter.addTransform(createMaskTransform(tf.clone((transform as MaskTransform).mask)));
    }
  }
  return copy.eval();
}
