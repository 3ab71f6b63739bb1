import type { tf } from '../../tensor/tf';
import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/**
 * The unit a pruning method removes weights in, so that callers (and the conformance suite)
 * know which sparsities it can reach exactly.
 *
 * - `element`: single weights; `floor(sparsity * count)` zeros.
 * - `block`: `shape[0] x shape[1]` blocks of the last two axes (4x1, 1x4, whole rows...);
 *   `floor(sparsity * blocks)` zero blocks.
 * - `n-of-m`: `kept` non-zeros in every group of `group` consecutive weights along the last
 *   axis (2:4 is `{ kept: 2, group: 4 }`); the sparsity is fixed at `1 - kept / group`.
 *
 * @example
 * ```ts
 * const granularity: MaskGranularity = { type: 'block', shape: [4, 1] };
 * ```
 */
export type MaskGranularity =
  | { readonly type: 'element' }
  | { readonly type: 'block'; readonly shape: readonly [number, number] }
  | { readonly type: 'n-of-m'; readonly kept: number; readonly group: number };

/** What a pruning method may use besides the weight. */
export interface PruningContext {
  /** A score per weight (same shape), larger = more important; replaces the magnitude. */
  readonly importance?: tf.Tensor;
}

/**
 * A pruning method computes a mask for one weight tensor (torch.ao.pruning style): the
 * caller adds the mask as a weight transform, so the pruning stays reversible until squashed.
 *
 * @example
 * ```ts
 * const schema = z.object({ sparsity: z.number().min(0).lt(1) });
 * const magnitude: PruningMethod<z.infer<typeof schema>> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/magnitude',
 *   optionsSchema: schema,
 *   granularity: { type: 'element' },
 *   computeMask(weight, { sparsity }) {
 *     return tf.tidy(() => {
 *       const values = tf.abs(weight).dataSync().slice().sort((a, b) => a - b);
 *       const zeros = Math.floor(sparsity * values.length);
 *       const threshold = zeros === 0 ? -Infinity : values[zeros - 1];
 *       return tf.cast(tf.greater(tf.abs(weight), threshold), 'float32');
 *     });
 *   },
 * };
 * ```
 */
export interface PruningMethod<Options = unknown> extends PluginSpecification {
  readonly optionsSchema: OptionsSchema<Options>;
  /** What the method removes; `element` when absent. */
  readonly granularity?: MaskGranularity;
  /**
   * Returns a float32 tensor of the weight's shape holding exactly 0 (pruned) or 1 (kept).
   * Must not dispose `weight` nor leak intermediate tensors.
   */
  computeMask(weight: tf.Tensor, options: Options, context?: PruningContext): tf.Tensor;
}
