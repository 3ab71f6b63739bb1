import type { Module } from '../../nn/module';
import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/**
 * A model family beyond pofa's own BERT and DistilBERT: the `model_type` of the Hugging Face
 * `config.json` it reads, a schema for that config, and a constructor from the parsed config.
 * `loadPretrained(dir, { registry })` of `@pofa/models` looks the family up by the folder's
 * `model_type`, parses `config.json` with `configSchema`, calls `create`, and loads
 * `model.safetensors` into the module by its dotted parameter names.
 *
 * @example
 * ```ts
 * const tiny: ModelFamily<{ model_type: 'acme-tiny'; hidden_size: number }> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/tiny',
 *   modelType: 'acme-tiny',
 *   configSchema: z.object({ model_type: z.literal('acme-tiny'), hidden_size: z.number().int().positive() }),
 *   create: (config) => new TinyModel(config.hidden_size),
 * };
 * ```
 */
export interface ModelFamily<Config = unknown, Model extends Module = Module> extends PluginSpecification {
  /** The `model_type` of the `config.json` files this family reads (`roberta`, `acme-tiny`). */
  readonly modelType: string;
  /** Validates the whole `config.json` object and produces the config `create` takes. */
  readonly configSchema: OptionsSchema<Config>;
  /** A new model with freshly made weights; the loader then overwrites them from the checkpoint. */
  create(config: Config): Model;
}
