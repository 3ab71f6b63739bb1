import { TrainingError } from '../errors/training-error';
import type { LossContext, Modifier, ModifierContext } from '../lifecycle/modifier';
import type { Module } from '../nn/module';
import type { Parameter } from '../nn/parameter';
import { tf } from '../tensor/tf';
import type { DataCursor } from './data-cursor';
import type { TrainingData, TrainingLoss } from './trainer-options';

/**
 * The trainable parameters the tape differentiates, each variable once (first name wins).
 *
 * @example
 * ```ts
 * const names = trainableParameters(model).map(([name]) => name);
 * ```
 */
export function trainableParameters(model: Module): Array<[string, Parameter]> {
  const seen = new Set<tf.Variable>();
  const out: Array<[string, Parameter]> = [];
  for (const [name, parameter] of model.namedParameters()) {
    if (!parameter.trainable || !parameter.variable.trainable || seen.has(parameter.variable)) continue;
    seen.add(parameter.variable);
    out.push([name, parameter]);
  }
  return out;
}

/** What {@link computeGradients} returns; the caller disposes `gradients`. */
export interface StepGradients {
  /** Gradients averaged over the micro-batches, by parameter name (absent: no path to the loss). */
  gradients: Record<string, tf.Tensor>;
  /** Mean loss over the micro-batches. */
  loss: number;
}

/** What one optimizer step's gradient computation needs. */
export interface GradientInputs<M extends Module, B> {
  model: M;
  data: TrainingData<B>;
  loss: TrainingLoss<M, B>;
  cursor: DataCursor;
  parameters: ReadonlyArray<readonly [string, Parameter]>;
  modifiers: readonly Modifier[];
  microBatches: number;
  context: ModifierContext;
}

/**
 * Runs `microBatches` forward/backward passes, each on the next batch of the cursor,
 * inside `tf.variableGrads` (modifiers' `prepareLoss` run before the tape opens, their
 * `modifyLoss` wrap the loss inside it), and
 * averages their gradients. A non-finite micro-batch loss is a {@link TrainingError}
 * naming the step; nothing is updated before the caller applies the gradients.
 *
 * @example
 * ```ts
 * const { gradients, loss } = computeGradients({ model, data, loss: lossFn, cursor, parameters, modifiers: [], microBatches: 4, context });
 * ```
 */
export function computeGradients<M extends Module, B>(inputs: GradientInputs<M, B>): StepGradients {
  const { model, data, cursor, parameters, modifiers, microBatches, context } = inputs;
  const variables = parameters.map(([, parameter]) => parameter.variable);
  const nameOf = new Map(parameters.map(([name, parameter]) => [parameter.variable.name, name]));
  let sum: Record<string, tf.Tensor> = {};
  let lossSum = 0;
  try {
    for (let micro = 0; micro < microBatches; micro++) {
      const indices = cursor.next();
      const { value, grads } = tf.tidy(() => {
        const batch = data.batch(indices);
        // Before the tape opens: what modifiers compute from the batch alone (a teacher's forward) is not recorded.
        const prepared = modifiers.map((modifier) => modifier.prepareLoss?.({ ...context, batch }));
        return tf.variableGrads(() => {
          const result = inputs.loss(model, batch, { training: true, random: context.random, step: context.step });
          let loss = result.loss;
          modifiers.forEach((modifier, index) => {
            if (modifier.modifyLoss === undefined) return;
            const lossContext: LossContext = { ...context, batch, outputs: result.outputs, prepared: prepared[index] };
            loss = modifier.modifyLoss(loss, lossContext);
          });
          return loss;
        }, variables);
      });
      const lossValue = value.dataSync()[0];
      value.dispose();
      lossSum += lossValue;
      if (!Number.isFinite(lossValue)) {
        tf.dispose(Object.values(grads));
        throw new TrainingError(`The loss is ${lossValue} at step ${context.step + 1}`, {
          expected: 'a finite loss',
          received: `${lossValue} (micro-batch ${micro + 1} of ${microBatches}, examples ${indices.slice(0, 8).join(', ')}${indices.length > 8 ? ', ...' : ''})`,
          hint: 'Lower the learning rate, enable clipNorm, or check the data; the last checkpoint is intact',
        });
      }
      for (const [variableName, gradient] of Object.entries(grads)) {
        if (gradient === null || gradient === undefined) continue;
        const name = nameOf.get(variableName) as string;
        const previous = sum[name];
        if (previous === undefined) {
          sum[name] = gradient;
        } else {
          sum[name] = tf.add(previous, gradient);
          previous.dispose();
          gradient.dispose();
        }
      }
    }
    if (microBatches > 1) {
      const averaged: Record<string, tf.Tensor> = {};
      for (const [name, gradient] of Object.entries(sum)) {
        averaged[name] = tf.div(gradient, microBatches);
        gradient.dispose();
      }
      sum = averaged;
    }
    return { gradients: sum, loss: lossSum / microBatches };
  } catch (error) {
    tf.dispose(Object.values(sum));
    throw error;
  }
}
