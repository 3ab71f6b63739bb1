import { join } from 'node:path';
import { tf, writeFileAtomic, writeSafetensors } from '@pofa/core';
import type { EncoderModel } from '../model';
import { architectureName } from './architectures';
import { toHuggingFaceName } from './hf-names';

/**
 * The `config.json` object Hugging Face writes for this model: its config with
 * `architectures`, `model_type`, label maps for classification, and `torch_dtype`.
 *
 * @example
 * ```ts
 * const json = huggingFaceConfig(model); // { architectures: ['BertForMaskedLM'], model_type: 'bert', ... }
 * ```
 */
export function huggingFaceConfig(model: EncoderModel): Record<string, unknown> {
  const { num_labels: numLabels, ...config } = model.config as Record<string, unknown> & { num_labels: number };
  const out: Record<string, unknown> = {
    ...config,
    architectures: [architectureName(model.family, model.task)],
    model_type: model.family,
    torch_dtype: 'float32',
  };
  const id2label = (config.id2label as Record<string, string> | undefined) ?? Object.fromEntries(Array.from({ length: numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
  out.id2label = id2label;
  out.label2id = Object.fromEntries(Object.entries(id2label).map(([id, label]) => [label, Number(id)]));
  if (model.task === 'sequence-classification' && numLabels === 1 && out.problem_type == null) out.problem_type = 'regression';
  return out;
}

/**
 * Writes a model as a Hugging Face checkpoint directory: `config.json` and
 * `model.safetensors` with Hugging Face's tensor names (`bert.` / `distilbert.` prefixes in
 * task models, tied decoder weights left out as `save_pretrained` does), so
 * `transformers`' `from_pretrained` loads it. Weights are the effective ones (masks and
 * other transforms applied). Each file is written atomically.
 *
 * @example
 * ```ts
 * await savePretrained(model, 'out/bert-tiny-sparse');
 * ```
 */
export async function savePretrained(model: EncoderModel, dir: string): Promise<void> {
  const tensors: Record<string, tf.Tensor> = {};
  try {
    for (const [name, parameter] of model.namedParameters()) {
      tensors[toHuggingFaceName(model.family, model.task, name)] = tf.tidy(() => tf.clone(parameter.value()));
    }
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  } finally {
    for (const tensor of Object.values(tensors)) tensor.dispose();
  }
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(huggingFaceConfig(model), null, 2)}\n`);
}
