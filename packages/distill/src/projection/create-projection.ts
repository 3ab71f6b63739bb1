import { ConfigError, type InitOptions, Linear, Module, tf } from '@pofa/core';
import { z } from 'zod';

/**
 * Options of {@link createProjection}: the activation after the linear map (default `linear`,
 * i.e. none; TinyBERT uses a plain linear map, MobileBERT-style bottlenecks a non-linearity).
 *
 * @example
 * ```ts
 * projectionOptionsSchema.parse({}); // { activation: 'linear' }
 * ```
 */
export const projectionOptionsSchema = z.object({
  activation: z.enum(['linear', 'relu', 'tanh']).default('linear'),
});

/** The activations a projection can end with. */
export type ProjectionActivation = z.output<typeof projectionOptionsSchema>['activation'];

/** Options of {@link createProjection}: the activation, and how the weight is initialised. */
export type ProjectionOptions = z.input<typeof projectionOptionsSchema> & InitOptions;

/**
 * Maps student features `[..., studentDim]` to the teacher's width `[..., teacherDim]`: a
 * {@link Linear} (parameters `linear.weight` `[teacherDim, studentDim]`, `linear.bias`)
 * followed by an activation. Add it as a child of the trained module (or pass its
 * parameters to the optimizer) so it trains with the student.
 *
 * @example
 * ```ts
 * const projection = new Projection(312, 768, 'linear');
 * const projected = projection.forward(studentHidden); // [batch, seq, 768]
 * ```
 */
export class Projection extends Module {
  readonly linear: Linear;

  constructor(
    readonly studentDim: number,
    readonly teacherDim: number,
    readonly activation: ProjectionActivation = 'linear',
    init: InitOptions = {},
  ) {
    super();
    this.linear = this.addModule('linear', new Linear(studentDim, teacherDim, init));
  }

  /** `[..., studentDim]` → `[..., teacherDim]`. */
  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const projected = this.linear.forward(input);
      if (this.activation === 'relu') return tf.relu(projected);
      if (this.activation === 'tanh') return tf.tanh(projected);
      return projected;
    });
  }
}

function assertDimension(value: number, name: string): void {
  if (Number.isInteger(value) && value > 0) return;
  throw new ConfigError(`createProjection: invalid ${name}`, {
    expected: 'a positive integer (the hidden size)',
    received: String(value),
  });
}

/**
 * A trainable projection for a student narrower than its teacher (TinyBERT's W_h,
 * MobileBERT-style matching): a {@link Projection} module from `studentDim` to `teacherDim`.
 *
 * @example
 * ```ts
 * const projection = createProjection(312, 768, { activation: 'linear', random: createRandom(0) });
 * const loss = hiddenMse(projection.forward(student.hidden[2]), teacher.hidden[6], { mask });
 * ```
 */
export function createProjection(studentDim: number, teacherDim: number, options: ProjectionOptions = {}): Projection {
  assertDimension(studentDim, 'studentDim');
  assertDimension(teacherDim, 'teacherDim');
  const { random, std, ...rest } = options;
  const parsed = projectionOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new ConfigError('createProjection: invalid activation', {
      expected: 'one of linear, relu, tanh',
      received: String((rest as { activation?: unknown }).activation),
    });
  }
  return new Projection(studentDim, teacherDim, parsed.data.activation, { random, std });
}
