import { z } from 'zod';
import { ConfigError, createRandom, selectTargets, tf, type Module, type Parameter, type TargetOptions } from '@pofa/core';

/**
 * Options of {@link estimateHessianTraces}.
 *
 * - `samples`: Rademacher vectors drawn (Hutchinson). The standard error of each trace falls as
 *   1/√samples; 16 is enough to rank layers, as in HAWQ-V2 / PyHessian (which iterate until the
 *   estimate moves by less than 1e-3 relative, typically within 50–200 samples).
 * - `epsilon`: the finite-difference step of the Hessian-vector product
 *   Hv ≈ (∇L(w + εv) − ∇L(w − εv)) / 2ε. Central differences are exact for a quadratic loss and
 *   O(ε²) otherwise; in float32 the round-off is about 1e-7·|∇L|/ε, so 1e-3 (weights of BERT are
 *   ~0.05) balances the two. tfjs has no reliable double backprop, hence the differences.
 * - `seed`: seeds the Rademacher vectors.
 */
export const hessianTraceOptionsSchema = z
  .object({
    samples: z.number().int().positive().default(16),
    epsilon: z.number().positive().default(1e-3),
    seed: z.number().int().default(0),
  })
  .strict();

/** Options of {@link estimateHessianTraces}, as the caller writes them. */
export type HessianTraceOptions = z.input<typeof hessianTraceOptionsSchema> & {
  /** The scalar loss on a fixed batch; called 2 × samples times, inside the gradient tape. */
  loss: (model: Module) => tf.Scalar;
  /** The layers whose block traces are estimated (default: the encoder Linear weights). */
  targets?: TargetOptions;
};

/** The estimated trace of one layer's diagonal Hessian block. */
export interface HessianTraceEstimate {
  name: string;
  parameterCount: number;
  /** Mean of the samples vᵀHv: an unbiased estimate of Tr(H_layer). */
  trace: number;
  /** Standard error of the mean (0 with one sample). */
  standardError: number;
  /** Each sample vᵀHv. */
  samples: number[];
}

function rademacher(random: ReturnType<typeof createRandom>, size: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = random.next() < 0.5 ? -1 : 1;
  return values;
}

function gradientsAt(model: Module, loss: HessianTraceOptions['loss'], variables: tf.Variable[]): tf.Tensor[] {
  const { value, grads } = tf.variableGrads(() => loss(model), variables);
  value.dispose();
  const ordered = variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
  const keep = new Set(ordered);
  tf.dispose(Object.values(grads).filter((tensor) => !keep.has(tensor)));
  return ordered;
}

function summarise(name: string, parameter: Parameter, samples: number[]): HessianTraceEstimate {
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  const variance = samples.length > 1 ? samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (samples.length - 1) : 0;
  return { name, parameterCount: parameter.size, trace: mean, standardError: Math.sqrt(variance / samples.length), samples };
}

/**
 * Hutchinson's estimate of the trace of each target layer's Hessian block, Tr(H_l) = E[v_lᵀ H v],
 * v Rademacher (HAWQ-V2, Dong et al. 2020, Alg. 1; PyHessian). One sample draws an independent v_l
 * for every layer at once, computes Hv by central differences of gradients, and reads
 * v_lᵀ(Hv)_l per layer: the cross-layer terms v_lᵀ H_lm v_m have zero mean since v_l and v_m are
 * independent, so each layer costs nothing extra (2 gradient evaluations per sample in all).
 * Gradients flow through the weight transforms (a pruned entry has zero gradient, hence zero
 * curvature). The model runs in eval mode (deterministic loss) and every weight is restored
 * bit-exactly afterwards.
 *
 * @example
 * ```ts
 * const traces = estimateHessianTraces(model, {
 *   loss: (m) => sequenceClassificationLoss(m.forward(batch).logits!, batch.labels),
 *   samples: 16,
 * });
 * console.log(traces.map(({ name, trace }) => `${name}: ${trace}`));
 * ```
 */
export function estimateHessianTraces(model: Module, options: HessianTraceOptions): HessianTraceEstimate[] {
  const { loss, targets, ...rest } = options;
  if (typeof loss !== 'function') {
    throw new ConfigError('estimateHessianTraces needs a loss function', { expected: '(model) => tf.Scalar', received: typeof loss });
  }
  const parsed = hessianTraceOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new ConfigError('Invalid Hessian trace options', {
      expected: 'samples: positive integer, epsilon: positive number, seed: integer',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }
  const { samples, epsilon, seed } = parsed.data;
  const selected = selectTargets(model, targets);
  const variables = selected.map(([, parameter]) => parameter.variable);
  const random = createRandom(seed);
  const originals = variables.map((variable) => tf.clone(variable));
  const wasTraining = model.training;
  const perLayer: number[][] = selected.map(() => []);
  model.eval();
  try {
    for (let sample = 0; sample < samples; sample++) {
      const directions = variables.map((variable) => tf.tensor(rademacher(random, variable.size), variable.shape, 'float32'));
      try {
        const shifted = (sign: 1 | -1): tf.Tensor[] => {
          variables.forEach((variable, index) => tf.tidy(() => variable.assign(tf.add(originals[index], tf.mul(directions[index], sign * epsilon)))));
          return gradientsAt(model, loss, variables);
        };
        const plus = shifted(1);
        const minus = shifted(-1);
        const products = tf.tidy(() =>
          tf.stack(directions.map((direction, index) => tf.div(tf.sum(tf.mul(direction, tf.sub(plus[index], minus[index]))), 2 * epsilon))),
        );
        tf.dispose([...plus, ...minus]);
        const values = products.dataSync();
        products.dispose();
        values.forEach((value, index) => perLayer[index].push(value));
      } finally {
        tf.dispose(directions);
      }
    }
  } finally {
    variables.forEach((variable, index) => variable.assign(originals[index]));
    tf.dispose(originals);
    model.train(wasTraining);
  }
  return selected.map(([name, parameter], index) => summarise(name, parameter, perLayer[index]));
}
