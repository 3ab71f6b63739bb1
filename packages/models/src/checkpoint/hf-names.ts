import type { tf } from '@pofa/core';
import type { TaskName } from '../features';
import type { ModelFamily } from './architectures';

/** Prefixes of the encoder's parameters, which Hugging Face nests under `bert.` / `distilbert.` in task models. */
const ENCODER_PREFIXES: Record<ModelFamily, { nest: string; parts: string[] }> = {
  bert: { nest: 'bert.', parts: ['embeddings.', 'encoder.', 'pooler.'] },
  distilbert: { nest: 'distilbert.', parts: ['embeddings.', 'transformer.'] },
};

/** Parameter prefixes of heads (and BERT's pooler): missing them means "a new head", not a broken checkpoint. */
export const HEAD_PREFIXES: Record<ModelFamily, string[]> = {
  bert: ['pooler.', 'cls.', 'classifier.', 'qa_outputs.'],
  distilbert: ['vocab_transform.', 'vocab_layer_norm.', 'vocab_projector.', 'pre_classifier.', 'classifier.', 'qa_outputs.'],
};

/** What {@link fromHuggingFaceNames} returns. */
export interface MappedState {
  /** Tensors under pofa's names (the same tensor objects as the input). */
  state: Record<string, tf.Tensor>;
  /** Names dropped on purpose (tied copies, buffers), with why. */
  dropped: string[];
}

/**
 * Renames a Hugging Face state dict to pofa's names: strips `bert.` / `distilbert.`, turns
 * legacy `LayerNorm.gamma/beta` into `weight/bias`, and drops the tied decoder weights
 * (`cls.predictions.decoder.weight`, `vocab_projector.weight`) and the `position_ids` buffer.
 * `cls.predictions.decoder.bias` stands in for a missing `cls.predictions.bias`.
 *
 * @example
 * ```ts
 * const { state } = fromHuggingFaceNames('bert', { 'bert.embeddings.LayerNorm.gamma': g });
 * Object.keys(state); // ['embeddings.LayerNorm.weight']
 * ```
 */
export function fromHuggingFaceNames(family: ModelFamily, tensors: Record<string, tf.Tensor>): MappedState {
  const { nest } = ENCODER_PREFIXES[family];
  const state: Record<string, tf.Tensor> = {};
  const dropped: string[] = [];
  for (const [original, tensor] of Object.entries(tensors)) {
    let name = original.startsWith(nest) ? original.slice(nest.length) : original;
    name = name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
    if (name === 'embeddings.position_ids') dropped.push(`${original} (buffer)`);
    else if (name === 'cls.predictions.decoder.weight' || name === 'vocab_projector.weight') dropped.push(`${original} (tied to the word embeddings)`);
    else if (name === 'cls.predictions.decoder.bias') {
      if (!('cls.predictions.bias' in tensors) && !(`${nest}cls.predictions.bias` in tensors)) state['cls.predictions.bias'] = tensor;
      else dropped.push(`${original} (tied to cls.predictions.bias)`);
    } else state[name] = tensor;
  }
  return { state, dropped };
}

/**
 * pofa's parameter name as Hugging Face writes it for this family and task: encoder
 * parameters get `bert.` / `distilbert.` in task models, heads keep their names.
 *
 * @example
 * ```ts
 * toHuggingFaceName('bert', 'masked-lm', 'encoder.layer.0.output.dense.weight'); // 'bert.encoder.layer.0.output.dense.weight'
 * ```
 */
export function toHuggingFaceName(family: ModelFamily, task: TaskName, name: string): string {
  const { nest, parts } = ENCODER_PREFIXES[family];
  return task !== 'base' && parts.some((part) => name.startsWith(part)) ? nest + name : name;
}
