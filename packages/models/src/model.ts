import { BertModel } from './bert/bert-model';
import type { ModelConfig } from './config/presets';
import { DistilBertModel } from './distilbert/distilbert-model';
import type { ModelOptions } from './model-options';

/** A model of either family; both share `forward`, `config`, `task` and the layer counts. */
export type EncoderModel = BertModel | DistilBertModel;

/**
 * Builds the model of a validated config's family (`model_type`).
 *
 * @example
 * ```ts
 * const model = createModel(presetConfig('bert-mini'), { task: 'masked-lm', seed: 1 });
 * ```
 */
export function createModel(config: ModelConfig, options: ModelOptions = {}): EncoderModel {
  return config.model_type === 'distilbert' ? new DistilBertModel(config, options) : new BertModel(config, options);
}

/**
 * The encoder layers of a model, in order (`encoder.layer` for BERT, `transformer.layer`
 * for DistilBERT), with the dotted prefix of their parameters.
 *
 * @example
 * ```ts
 * const [prefix, layers] = encoderLayers(model); // ['encoder.layer', [...]]
 * ```
 */
export function encoderLayers(model: EncoderModel): [string, ReadonlyArray<BertModel['encoder']['layer']['items'][number] | DistilBertModel['transformer']['layer']['items'][number]>] {
  return model.family === 'bert' ? ['encoder.layer', model.encoder.layer.items] : ['transformer.layer', model.transformer.layer.items];
}
