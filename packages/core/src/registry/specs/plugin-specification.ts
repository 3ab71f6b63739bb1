import type { z } from 'zod';

/**
 * The version of the plugin specification this release of `@pofa/core` understands.
 *
 * @example
 * ```ts
 * const spec = { specificationVersion: SPECIFICATION_VERSION, name: 'acme/x' };
 * ```
 */
export const SPECIFICATION_VERSION = 'v1' as const;

/** The literal type of {@link SPECIFICATION_VERSION}. */
export type SpecificationVersion = typeof SPECIFICATION_VERSION;

/**
 * What every plugin spec carries: the specification version it was written against and a
 * namespaced name (`scope/name`, lowercase letters, digits and dashes).
 *
 * @example
 * ```ts
 * const base: PluginSpecification = { specificationVersion: 'v1', name: 'acme/my-plugin' };
 * ```
 */
export interface PluginSpecification {
  readonly specificationVersion: SpecificationVersion;
  /** A namespaced key such as `prune/magnitude`. */
  readonly name: string;
  /** One line saying what the plugin does, for listings and error messages. */
  readonly description?: string;
}

/**
 * A zod schema that validates raw (JSON/YAML) options and produces `Options`, defaults applied.
 *
 * @example
 * ```ts
 * const schema: OptionsSchema<{ sparsity: number }> = z.object({ sparsity: z.number().min(0).max(1) });
 * ```
 */
export type OptionsSchema<Options> = z.ZodType<Options, z.ZodTypeDef, unknown>;
