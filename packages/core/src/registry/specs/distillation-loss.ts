import type { tf } from '../../tensor/tf';
import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/** What a distillation loss receives at call time besides its validated options. */
export interface DistillationLossRuntime {
  /** 1 where a position counts, 0 where it is padding; broadcast against the inputs' leading axes. */
  readonly mask?: tf.Tensor;
}

/** Mathematical properties a loss declares, which the conformance suite then checks. */
export interface DistillationLossProperties {
  /** The loss is 0 when the student equals the teacher. */
  readonly zeroWhenEqual?: boolean;
  /** The loss is never negative. */
  readonly nonNegative?: boolean;
}

/**
 * A distillation loss is a pure function of the student's and the teacher's features
 * (TextBrewer style). Shapes are documented by each loss; most take `[batch, ..., features]`.
 *
 * @example
 * ```ts
 * const mse: DistillationLoss<{ weight: number }> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/mse',
 *   optionsSchema: z.object({ weight: z.number().default(1) }),
 *   properties: { zeroWhenEqual: true, nonNegative: true },
 *   compute: (student, teacher, { weight }) =>
 *     tf.tidy(() => tf.mul(weight, tf.mean(tf.squaredDifference(student, teacher))) as tf.Scalar),
 * };
 * ```
 */
export interface DistillationLoss<Options = unknown> extends PluginSpecification {
  readonly optionsSchema: OptionsSchema<Options>;
  readonly properties?: DistillationLossProperties;
  /** Returns a scalar loss; differentiable with respect to `student`; leaks no tensors. */
  compute(student: tf.Tensor, teacher: tf.Tensor, options: Options & DistillationLossRuntime): tf.Scalar;
}
