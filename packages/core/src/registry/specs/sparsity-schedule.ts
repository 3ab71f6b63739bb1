import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/**
 * A sparsity schedule says which sparsity to reach at each optimizer step (cubic gradual
 * magnitude pruning, linear, one-shot...). It is a pure function of the step.
 *
 * @example
 * ```ts
 * const schema = z.object({ finalSparsity: z.number().min(0).lt(1), endStep: z.number().int().positive() });
 * const linear: SparsitySchedule<z.infer<typeof schema>> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/linear',
 *   optionsSchema: schema,
 *   sparsityAt: (step, { finalSparsity, endStep }) => finalSparsity * Math.min(1, step / endStep),
 * };
 * ```
 */
export interface SparsitySchedule<Options = unknown> extends PluginSpecification {
  readonly optionsSchema: OptionsSchema<Options>;
  /** The target sparsity in [0, 1) at `step` (0-based optimizer steps). */
  sparsityAt(step: number, options: Options): number;
}
