import { z } from 'zod';
import { CheckpointError } from '../errors/checkpoint-error';
import { ConfigError } from '../errors/config-error';
import type { Parameter } from '../nn/parameter';
import { FUSED_KERNELS, hasFusedKernels, runFusedKernel } from '../tensor/fused-kernels';
import { tf } from '../tensor/tf';

/**
 * Parameter names that get no weight decay by default: biases and layer norms, as in the
 * Hugging Face `Trainer` and the BERT recipes.
 *
 * @example
 * ```ts
 * DEFAULT_NO_DECAY.test('encoder.layer.0.output.LayerNorm.weight'); // true
 * DEFAULT_NO_DECAY.test('encoder.layer.0.output.dense.weight');     // false
 * ```
 */
export const DEFAULT_NO_DECAY = /(^|\.)(bias|LayerNorm\.|layer_norm\.|norm\.)/;

/**
 * Options of {@link createAdamW}; defaults are those of `torch.optim.AdamW`.
 *
 * @example
 * ```ts
 * const config = adamWOptionsSchema.parse({ weightDecay: 0.01 }); // betas [0.9, 0.999], eps 1e-8
 * ```
 */
export const adamWOptionsSchema = z
  .object({
    /** Decay rates of the first and second moment estimates. */
    betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
    /** Added to the denominator for numerical stability. */
    eps: z.number().positive().default(1e-8),
    /** Decoupled weight decay coefficient (w ← w − lr·wd·w). */
    weightDecay: z.number().min(0).default(0.01),
    /** Parameter names that get no weight decay; `null` decays every name (`decay: false` parameters still skip it). */
    noDecay: z.instanceof(RegExp).nullable().default(DEFAULT_NO_DECAY),
  })
  .strict();

export type AdamWOptions = z.input<typeof adamWOptionsSchema>;
export type AdamWConfig = z.output<typeof adamWOptionsSchema>;

/**
 * What an {@link AdamW} keeps across a checkpoint: both moments of each parameter, and its step count.
 *
 * @example
 * ```ts
 * const state: AdamWState = { tensors: optimizer.stateTensors(), steps: optimizer.stepCounts() };
 * ```
 */
export interface AdamWState {
  /** `<parameter>::exp_avg` and `<parameter>::exp_avg_sq` for every parameter stepped so far. */
  tensors: Record<string, tf.Tensor>;
  /** Steps taken by each parameter (a parameter without a gradient at a step is not stepped). */
  steps: Record<string, number>;
}

/**
 * AdamW with decoupled weight decay, step for step as `torch.optim.AdamW`: moments are kept
 * per parameter name as tf variables, bias-corrected, and a parameter without a gradient at
 * a step is left alone (no decay, no step count), as in PyTorch.
 *
 * @example
 * ```ts
 * const optimizer: AdamW = createAdamW();
 * optimizer.step(model.namedParameters(), { 'classifier.weight': gradient }, 1e-3);
 * ```
 */
export interface AdamW {
  readonly config: AdamWConfig;
  /** Whether weight decay applies to this parameter (its `decay` flag and the `noDecay` pattern). */
  decays(name: string, parameter: Parameter): boolean;
  /**
   * One update of every trainable parameter that has a gradient (keyed by parameter name),
   * at `learningRate`. Gradients are not disposed. `gradientScale` (default 1) multiplies
   * every gradient first, as a float32 product — what clipping by the global norm does —
   * without a scaled copy of the gradients.
   */
  step(parameters: ReadonlyArray<readonly [string, Parameter]>, gradients: Record<string, tf.Tensor>, learningRate: number, gradientScale?: number): void;
  /** The live moment variables (do not dispose them), keyed as in {@link AdamWState}. */
  stateTensors(): Record<string, tf.Tensor>;
  /** Steps taken by each parameter. */
  stepCounts(): Record<string, number>;
  /** Replaces the whole state with copies of `state`'s tensors (the caller keeps ownership). */
  loadState(state: AdamWState): void;
  /** Disposes the moments. */
  dispose(): void;
}

interface Moments {
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
  step: number;
}

/** A non-trainable variable holding a copy of what `make` returns (the copy source is disposed). */
function momentVariable(make: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(make(), false));
}

/**
 * Creates an {@link AdamW} optimizer.
 *
 * @example
 * ```ts
 * const optimizer = createAdamW({ weightDecay: 0.01 });
 * const { grads } = tf.variableGrads(() => loss(model), variables);
 * optimizer.step(model.namedParameters(), gradientsByName, 5e-5);
 * ```
 */
export function createAdamW(options: AdamWOptions = {}): AdamW {
  const parsed = adamWOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid AdamW options', {
      expected: 'betas in [0, 1), eps > 0, weightDecay ≥ 0, noDecay a RegExp or null',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }
  const config = parsed.data;
  const [beta1, beta2] = config.betas;
  const moments = new Map<string, Moments>();

  const decays = (name: string, parameter: Parameter): boolean =>
    parameter.decay && !(config.noDecay?.test(name) ?? false);

  const momentsOf = (name: string, parameter: Parameter): Moments => {
    let found = moments.get(name);
    if (found === undefined) {
      found = {
        expAvg: momentVariable(() => tf.zerosLike(parameter.variable)),
        expAvgSq: momentVariable(() => tf.zerosLike(parameter.variable)),
        step: 0,
      };
      moments.set(name, found);
    }
    return found;
  };

  const clear = (): void => {
    for (const { expAvg, expAvgSq } of moments.values()) {
      expAvg.dispose();
      expAvgSq.dispose();
    }
    moments.clear();
  };

  return {
    config,
    decays,
    step(parameters, gradients, learningRate, gradientScale = 1) {
      if (!Number.isFinite(learningRate) || learningRate < 0) {
        throw new ConfigError('Invalid learning rate', { expected: 'a finite number ≥ 0', received: String(learningRate) });
      }
      if (!Number.isFinite(gradientScale) || gradientScale <= 0) {
        throw new ConfigError('Invalid gradient scale', { expected: 'a finite number > 0', received: String(gradientScale) });
      }
      const scale = Math.fround(gradientScale);
      const fused = hasFusedKernels(FUSED_KERNELS.adamW);
      for (const [name, parameter] of parameters) {
        const unscaled = gradients[name];
        if (!parameter.trainable || unscaled === undefined || unscaled === null) continue;
        const state = momentsOf(name, parameter);
        state.step += 1;
        const biasCorrection1 = 1 - beta1 ** state.step;
        const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** state.step);
        const stepSize = learningRate / biasCorrection1;
        const decay = decays(name, parameter) ? learningRate * config.weightDecay : 0;
        tf.tidy(() => {
          if (fused && parameter.variable.dtype === 'float32' && unscaled.dtype === 'float32') {
            const [updated, expAvg, expAvgSq] = runFusedKernel(
              FUSED_KERNELS.adamW,
              { param: parameter.variable, grad: unscaled, expAvg: state.expAvg, expAvgSq: state.expAvgSq },
              {
                beta1: Math.fround(beta1),
                oneMinusBeta1: Math.fround(1 - beta1),
                beta2: Math.fround(beta2),
                oneMinusBeta2: Math.fround(1 - beta2),
                keep: decay > 0 ? Math.fround(1 - decay) : 1,
                biasCorrection2Sqrt: Math.fround(biasCorrection2Sqrt),
                eps: Math.fround(config.eps),
                stepSize: Math.fround(stepSize),
                gradientScale: scale,
              },
            );
            state.expAvg.assign(expAvg);
            state.expAvgSq.assign(expAvgSq);
            parameter.variable.assign(updated);
            return;
          }
          const weight = decay > 0 ? tf.mul(parameter.variable, 1 - decay) : parameter.variable;
          const gradient = scale === 1 ? unscaled : tf.mul(unscaled, scale);
          const expAvg = tf.add(tf.mul(state.expAvg, beta1), tf.mul(gradient, 1 - beta1));
          const expAvgSq = tf.add(tf.mul(state.expAvgSq, beta2), tf.mul(tf.mul(gradient, gradient), 1 - beta2));
          const denominator = tf.add(tf.div(tf.sqrt(expAvgSq), biasCorrection2Sqrt), config.eps);
          const updated = tf.sub(weight, tf.mul(tf.div(expAvg, denominator), stepSize));
          state.expAvg.assign(expAvg);
          state.expAvgSq.assign(expAvgSq);
          parameter.variable.assign(updated);
        });
      }
    },
    stateTensors() {
      const out: Record<string, tf.Tensor> = {};
      for (const [name, state] of moments) {
        out[`${name}::exp_avg`] = state.expAvg;
        out[`${name}::exp_avg_sq`] = state.expAvgSq;
      }
      return out;
    },
    stepCounts() {
      return Object.fromEntries([...moments].map(([name, state]) => [name, state.step]));
    },
    loadState(state) {
      const names = Object.keys(state.steps);
      const expectedKeys = new Set(names.flatMap((name) => [`${name}::exp_avg`, `${name}::exp_avg_sq`]));
      const actualKeys = Object.keys(state.tensors);
      const missing = [...expectedKeys].filter((key) => !(key in state.tensors));
      const unexpected = actualKeys.filter((key) => !expectedKeys.has(key));
      const badSteps = names.filter((name) => !Number.isInteger(state.steps[name]) || state.steps[name] < 1);
      const misshaped = names.filter(
        (name) =>
          state.tensors[`${name}::exp_avg`] !== undefined &&
          state.tensors[`${name}::exp_avg_sq`] !== undefined &&
          !tf.util.arraysEqual(state.tensors[`${name}::exp_avg`].shape, state.tensors[`${name}::exp_avg_sq`].shape),
      );
      if (missing.length + unexpected.length + badSteps.length + misshaped.length > 0) {
        throw new CheckpointError('AdamW state does not fit together', {
          expected: 'both moments (same shape) and a step count ≥ 1 for every parameter',
          received: [
            missing.length > 0 ? `missing ${missing.join(', ')}` : '',
            unexpected.length > 0 ? `unexpected ${unexpected.join(', ')}` : '',
            badSteps.length > 0 ? `bad step counts for ${badSteps.join(', ')}` : '',
            misshaped.length > 0 ? `moments of different shapes for ${misshaped.join(', ')}` : '',
          ]
            .filter((part) => part !== '')
            .join('; '),
        });
      }
      clear();
      for (const name of names) {
        moments.set(name, {
          expAvg: momentVariable(() => tf.cast(state.tensors[`${name}::exp_avg`], 'float32')),
          expAvgSq: momentVariable(() => tf.cast(state.tensors[`${name}::exp_avg_sq`], 'float32')),
          step: state.steps[name],
        });
      }
    },
    dispose: clear,
  };
}
