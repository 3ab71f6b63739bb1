import type { Module } from '../../nn/module';
import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/**
 * A model family (BERT, DistilBERT...): a config schema and a constructor from a config.
 *
 * @example
 * ```ts
 * const tiny: ModelFamily<{ width: number }> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/tiny',
 *   configSchema: z.object({ width: z.number().int().positive() }),
 *   create: ({ width }) => new TinyModel(width),
 * };
 * ```
 */
export interface ModelFamily<Config = unknown, Model extends Module = Module> extends PluginSpecification {
  readonly configSchema: OptionsSchema<Config>;
  create(config: Config): Model;
}
