import { createRandom, type Random, type RandomState } from '../random';
import { Parameter } from './parameter';
import { tf } from '../tensor/tf';

/** How a layer initialises its weights: a seeded generator and a standard deviation. */
export interface InitOptions {
  /** Generator for the initial values (default: a fresh one seeded with 0). */
  random?: Random;
  /** Standard deviation of the normal initialisation (BERT's `initializer_range`, 0.02). */
  std?: number;
  /**
   * Start every weight at zero and draw nothing from `random`: for weights that are overwritten
   * right away (a checkpoint being loaded), where drawing BERT-Base's 110 M normal samples in JS
   * would take seconds.
   */
  zeros?: boolean;
  /**
   * Start every weight at zero but advance `random` as drawing them would, remembering where
   * each weight's draws start: {@link drawDeferred} then fills chosen parameters (a new head)
   * with exactly the values a full initialisation gives them, without drawing the rest.
   */
  deferred?: boolean;
}

interface DeferredDraw {
  state: RandomState;
  std: number;
}

const deferredDraws = new WeakMap<Parameter, DeferredDraw>();

/**
 * A parameter initialised by {@link initNormal} (what `Linear` and `Embedding` hold); with
 * `deferred` options it starts at zero and can be drawn later with {@link drawDeferred}.
 *
 * @example
 * ```ts
 * const weight = normalParameter([768, 768], { random, std: 0.02 });
 * ```
 */
export function normalParameter(shape: number[], options: InitOptions = {}): Parameter {
  if (options.deferred !== true || options.zeros === true) return new Parameter(initNormal(shape, options));
  const random = options.random ?? createRandom(0);
  const draw: DeferredDraw = { state: random.state(), std: options.std ?? 0.02 };
  random.skip(2 * tf.util.sizeFromShape(shape));
  const parameter = new Parameter(tf.zeros(shape, 'float32'));
  deferredDraws.set(parameter, draw);
  return parameter;
}

/**
 * Gives a parameter made with `deferred` options the values a non-deferred initialisation
 * would have drawn for it (same seed, same position in the sequence). Returns false, changing
 * nothing, for a parameter that was not deferred.
 *
 * @example
 * ```ts
 * for (const name of missing) drawDeferred(parameters.get(name));
 * ```
 */
export function drawDeferred(parameter: Parameter): boolean {
  const draw = deferredDraws.get(parameter);
  if (draw === undefined) return false;
  const random = createRandom(0);
  random.setState(draw.state);
  tf.tidy(() => parameter.variable.assign(initNormal(parameter.shape, { random, std: draw.std })));
  deferredDraws.delete(parameter);
  return true;
}

/**
 * A tensor of normal(0, std) samples drawn in JS from `random`, so initial weights are the
 * same on every backend for a given seed (zeros, drawing nothing, with `zeros: true`).
 *
 * @example
 * ```ts
 * const w = initNormal([768, 768], { random: createRandom(1), std: 0.02 });
 * ```
 */
export function initNormal(shape: number[], options: InitOptions = {}): tf.Tensor {
  if (options.zeros === true) return tf.zeros(shape, 'float32');
  const random = options.random ?? createRandom(0);
  const std = options.std ?? 0.02;
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * std;
  return tf.tensor(values, shape, 'float32');
}
