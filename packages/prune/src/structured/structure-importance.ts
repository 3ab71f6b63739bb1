import { tf, type Module, type Parameter } from '@pofa/core';
import { layerLinearNames, layerStructure, type EncoderModel } from '@pofa/models';

/** The loss of one calibration batch (inside the gradient tape); the model is in eval mode. */
export type CalibrationLoss<B> = (model: EncoderModel, batch: B) => tf.Scalar;

/** Importance per layer: `heads[layer][head]` (current heads, in order) and `neurons[layer][neuron]`. */
export interface StructureImportance {
  heads: number[][];
  neurons: number[][];
}

function parameter(model: Module, name: string): Parameter {
  const found = model.getParameter(name);
  if (found === undefined) throw new Error(`pofa bug: ${name} is missing`);
  return found;
}

/** Σ over `axis` of w·g, as a plain array (axis 1: per row, axis 0: per column). */
function weightTimesGradient(weight: tf.Tensor, gradient: tf.Tensor, axis: number): Float32Array {
  return tf.tidy(() => tf.sum(tf.mul(weight, gradient), axis).dataSync() as Float32Array);
}

/**
 * Head and FFN-neuron importance as PaddleSlim's OFA (`compute_neuron_head_importance`, from
 * DynaBERT / Michel et al. 2019) defines it, summed over the calibration batches, each batch's
 * term taken in absolute value:
 *
 * - head h: |∂L/∂m_h| for a gate m_h on the head's attention output (PaddleSlim's `head_mask`
 *   on the probabilities). pofa computes it without a gate, exactly, as Σ w·∂L/∂w over the
 *   head's columns of the attention output projection (the gate scales those inputs, so the two
 *   are equal); the head's V rows and bias give the same number, Q and K rows do not enter.
 * - neuron n: |Σ_in W₁·∂L/∂W₁ + b₁·∂L/∂b₁| over its intermediate row and bias, plus
 *   |Σ_out W₂·∂L/∂W₂| over its output-projection column.
 *
 * Gradients are taken with respect to the raw weights, so mask transforms are honoured
 * (masked entries add nothing). The model runs in eval mode and is restored afterwards.
 *
 * @example
 * ```ts
 * const { heads, neurons } = computeStructureImportance(model, batches, (m, batch) => maskedLmLoss(m.forward(batch).logits!, batch.labels));
 * ```
 */
export function computeStructureImportance<B>(model: EncoderModel, batches: Iterable<B>, loss: CalibrationLoss<B>): StructureImportance {
  const layers = Array.from({ length: model.numLayers }, (_, layer) => ({
    names: layerLinearNames(model.family, layer),
    structure: layerStructure(model.config, layer),
  }));
  const heads = layers.map(({ structure }) => new Array<number>(structure.heads.length).fill(0));
  const neurons = layers.map(({ structure }) => new Array<number>(structure.intermediateSize).fill(0));
  const wasTraining = model.training;
  model.eval();
  try {
    const watched = layers.flatMap(({ names }) => [`${names.attentionOutput}.weight`, `${names.intermediate}.weight`, `${names.intermediate}.bias`, `${names.ffnOutput}.weight`]);
    const variables = watched.map((name) => parameter(model, name).variable);
    for (const batch of batches) {
      const { value, grads } = tf.variableGrads(() => loss(model, batch), variables);
      try {
        layers.forEach(({ names, structure }, layer) => {
          const gradient = (name: string) => grads[parameter(model, name).variable.name];
          const raw = (name: string) => parameter(model, name).variable;
          const output = weightTimesGradient(raw(`${names.attentionOutput}.weight`), gradient(`${names.attentionOutput}.weight`), 0);
          for (let head = 0; head < structure.heads.length; head++) {
            let sum = 0;
            for (let c = head * structure.headSize; c < (head + 1) * structure.headSize; c++) sum += output[c];
            heads[layer][head] += Math.abs(sum);
          }
          const rows = weightTimesGradient(raw(`${names.intermediate}.weight`), gradient(`${names.intermediate}.weight`), 1);
          const bias = tf.tidy(() => tf.mul(raw(`${names.intermediate}.bias`), gradient(`${names.intermediate}.bias`)).dataSync() as Float32Array);
          const columns = weightTimesGradient(raw(`${names.ffnOutput}.weight`), gradient(`${names.ffnOutput}.weight`), 0);
          for (let neuron = 0; neuron < structure.intermediateSize; neuron++) {
            neurons[layer][neuron] += Math.abs(rows[neuron] + bias[neuron]) + Math.abs(columns[neuron]);
          }
        });
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return { heads, neurons };
}

/**
 * Data-free importance for recipes: the L1 norm of each head's Q/K/V rows and biases and
 * attention-output columns, and of each neuron's intermediate row, bias and output column
 * (effective weights, so masks count).
 *
 * @example
 * ```ts
 * const { heads } = magnitudeStructureImportance(model);
 * ```
 */
export function magnitudeStructureImportance(model: EncoderModel): StructureImportance {
  const heads: number[][] = [];
  const neurons: number[][] = [];
  for (let layer = 0; layer < model.numLayers; layer++) {
    const names = layerLinearNames(model.family, layer);
    const structure = layerStructure(model.config, layer);
    const absolute = (name: string, axis: number): Float32Array =>
      tf.tidy(() => {
        const value = tf.abs(parameter(model, name).value());
        return (value.rank === 1 ? value : tf.sum(value, axis)).dataSync() as Float32Array;
      });
    const rowSums = [names.query, names.key, names.value].flatMap((linear) => [absolute(`${linear}.weight`, 1), absolute(`${linear}.bias`, 0)]);
    const outputColumns = absolute(`${names.attentionOutput}.weight`, 0);
    heads.push(
      structure.heads.map((_, head) => {
        let sum = 0;
        for (let c = head * structure.headSize; c < (head + 1) * structure.headSize; c++) sum += outputColumns[c] + rowSums.reduce((total, part) => total + part[c], 0);
        return sum;
      }),
    );
    const rows = absolute(`${names.intermediate}.weight`, 1);
    const bias = absolute(`${names.intermediate}.bias`, 0);
    const columns = absolute(`${names.ffnOutput}.weight`, 0);
    neurons.push(Array.from(rows, (row, neuron) => row + bias[neuron] + columns[neuron]));
  }
  return { heads, neurons };
}

/**
 * Head importance only (`computeStructureImportance(...).heads`); call
 * {@link computeStructureImportance} when you need both, it runs the batches once.
 *
 * @example
 * ```ts
 * const heads = computeHeadImportance(model, batches, loss); // heads[layer][head]
 * ```
 */
export function computeHeadImportance<B>(model: EncoderModel, batches: Iterable<B>, loss: CalibrationLoss<B>): number[][] {
  return computeStructureImportance(model, batches, loss).heads;
}

/**
 * FFN-neuron importance only (`computeStructureImportance(...).neurons`).
 *
 * @example
 * ```ts
 * const neurons = computeNeuronImportance(model, batches, loss); // neurons[layer][neuron]
 * ```
 */
export function computeNeuronImportance<B>(model: EncoderModel, batches: Iterable<B>, loss: CalibrationLoss<B>): number[][] {
  return computeStructureImportance(model, batches, loss).neurons;
}
