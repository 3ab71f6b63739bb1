import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { closestMatches, ConfigError } from '@pofa/core';
import { loadPretrained, MODEL_PRESETS, presetConfig, type EncoderModel, type ModelConfig, type PresetName, type TaskName } from '@pofa/models';
import type { Scale } from './scales';

/** Where the teacher comes from: the scale's shape, a preset, or a Hugging Face directory. */
export type ModelSource = { kind: 'scale' } | { kind: 'preset'; name: PresetName } | { kind: 'directory'; dir: string };

/**
 * Reads `--model`: absent → the scale's own shape; a preset name (`bert-tiny`, `bert-base-uncased`,
 * ...) → that shape, trained from scratch on the embedded corpus; anything else must be a
 * Hugging Face directory with `config.json`, `model.safetensors` and `vocab.txt`.
 *
 * @example
 * ```ts
 * await resolveModelSource('bert-mini', process.cwd()); // { kind: 'preset', name: 'bert-mini' }
 * ```
 */
export async function resolveModelSource(model: string | undefined, cwd: string): Promise<ModelSource> {
  if (model === undefined) return { kind: 'scale' };
  if (model in MODEL_PRESETS) return { kind: 'preset', name: model as PresetName };
  const dir = resolve(cwd, model);
  try {
    await readFile(join(dir, 'config.json'));
    await readFile(join(dir, 'vocab.txt'));
  } catch {
    const suggestions = closestMatches(model, Object.keys(MODEL_PRESETS));
    throw new ConfigError(`Cannot use --model ${model}`, {
      expected: `a preset (${Object.keys(MODEL_PRESETS).join(', ')}) or a Hugging Face directory with config.json, model.safetensors and vocab.txt`,
      received: `${JSON.stringify(model)}, which is neither`,
      hint: suggestions.length > 0 ? `Did you mean ${suggestions.join(' or ')}?` : 'Convert pytorch_model.bin to model.safetensors first',
    });
  }
  return { kind: 'directory', dir };
}

/**
 * The teacher's config for a source that is trained here: the scale's shape (`layers`, `hidden`,
 * `heads`, FFN 4x hidden) or a preset, with the run's vocabulary and sequence length.
 *
 * @example
 * ```ts
 * const config = teacherConfig({ kind: 'scale' }, SCALES.default, 2000);
 * ```
 */
export function teacherConfig(source: ModelSource, scale: Scale, vocabSize: number): ModelConfig {
  const common = { vocab_size: vocabSize, max_position_embeddings: scale.maxLength };
  if (source.kind === 'preset') return presetConfig(source.name, common);
  return presetConfig('bert-tiny', {
    ...common,
    num_hidden_layers: scale.layers,
    hidden_size: scale.hidden,
    num_attention_heads: scale.heads,
    intermediate_size: 4 * scale.hidden,
  });
}

/**
 * Loads a model saved with `savePretrained` with the head a stage needs.
 *
 * @example
 * ```ts
 * const model = await loadModel('pofa-out/sparse-pretrain/model', 'sequence-classification', 2);
 * ```
 */
export async function loadModel(dir: string, task: TaskName, numLabels?: number): Promise<EncoderModel> {
  const { model } = await loadPretrained(dir, { task, ...(numLabels === undefined ? {} : { numLabels }) });
  return model;
}

/** Parameters of a task head (BERT's and DistilBERT's classifier, SQuAD's span head). */
const HEAD_PARAMETER = /(^|\.)(classifier|pre_classifier|qa_outputs)\./;

/**
 * A dense teacher with the head of the task, refused when that head was not in its checkpoint:
 * a head drawn at random (a masked-LM checkpoint, or one fine-tuned for another number of
 * classes) would distil noise into the student.
 *
 * @example
 * ```ts
 * const teacher = await loadTeacherModel('teacher-sst2', 'sequence-classification', 2, '--teacher teacher-sst2');
 * ```
 */
export async function loadTeacherModel(dir: string, task: TaskName, numLabels: number | undefined, label: string): Promise<EncoderModel> {
  const { model, missing, notes } = await loadPretrained(dir, { task, ...(numLabels === undefined ? {} : { numLabels }) });
  const drawn = [...missing.filter((name) => HEAD_PARAMETER.test(name)), ...notes.filter((note) => note.startsWith('re-initialised') && HEAD_PARAMETER.test(note.split(' ')[1] ?? ''))];
  if (drawn.length > 0) {
    model.dispose();
    throw new ConfigError(`${label} has no trained head for this task`, {
      expected: `a dense model fine-tuned on the task (${task}${numLabels === undefined ? '' : `, ${numLabels} output${numLabels === 1 ? '' : 's'}`})`,
      received: `a checkpoint whose head would be drawn at random (${drawn.slice(0, 2).join('; ')})`,
      hint: 'Fine-tune the teacher on the task first (pofa finetune, or your own fine-tuning), or drop --teacher',
    });
  }
  return model;
}
