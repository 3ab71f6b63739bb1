import { ConfigError, MASK_TRANSFORM_KIND, tf, type MaskTransform, type Parameter } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { ELASTIC_WIDTH_TRANSFORM_KIND } from './elastic-width';
import type { StructureImportance } from '@pofa/prune';
import { supernetLayers, supernetShape } from './supernet-layers';

/** Per layer, the old index now at each position: `heads[layer][i]` is the head moved to slot i. */
export interface StructureOrder {
  heads: number[][];
  neurons: number[][];
}

/**
 * Indices sorted by descending score (ties keep the lower index first), as PaddleSlim's
 * `argsort(importance, descending=True)`.
 *
 * @example
 * ```ts
 * importanceOrder([0.1, 0.7, 0.3]); // [1, 2, 0]
 * ```
 */
export function importanceOrder(scores: readonly number[]): number[] {
  return scores.map((score, index) => ({ score, index })).sort((a, b) => b.score - a.score || a.index - b.index).map(({ index }) => index);
}

function checkPermutation(order: readonly number[], size: number, what: string): void {
  const seen = new Set(order);
  if (order.length !== size || seen.size !== size || order.some((index) => !Number.isInteger(index) || index < 0 || index >= size)) {
    throw new ConfigError(`Invalid ${what} order`, { expected: `a permutation of 0..${size - 1}`, received: JSON.stringify(order) });
  }
}

function checkTransforms(parameter: Parameter, name: string): void {
  for (const transform of parameter.transforms) {
    if (transform.kind === MASK_TRANSFORM_KIND) continue;
    throw new ConfigError(`Cannot permute ${name}: it has a ${transform.kind} transform`, {
      expected: `no transforms, or ${MASK_TRANSFORM_KIND} masks (they are permuted along)`,
      received: transform.kind,
      hint: transform.kind === ELASTIC_WIDTH_TRANSFORM_KIND ? 'Reorder before setActiveWidth, or call removeElasticWidth first' : 'Reorder before adding quantization',
    });
  }
}

function permute(parameter: Parameter | undefined, indices: tf.Tensor1D, axis: number): void {
  if (parameter === undefined) return;
  tf.tidy(() => parameter.assign(tf.gather(parameter.variable, indices, axis)));
  for (const transform of parameter.transforms) {
    const mask = (transform as MaskTransform).mask;
    (transform as MaskTransform).setMask(tf.tidy(() => tf.gather(mask, indices, axis)));
  }
}

/**
 * Permutes every layer's heads (Q/K/V rows and biases in head-sized groups, attention-output
 * columns) and FFN neurons (intermediate rows and bias, FFN-output columns) to `order`, as
 * PaddleSlim's `reorder_head` / `reorder_neuron` do. The model computes the same function
 * afterwards (a permutation of heads or neurons changes no sum); sparsity masks on these
 * weights are permuted along. Other transforms (elastic width, quantization) are refused.
 *
 * @example
 * ```ts
 * permuteStructure(model, { heads: [[1, 0]], neurons: [[3, 0, 2, 1]] });
 * ```
 */
export function permuteStructure(model: EncoderModel, order: StructureOrder): void {
  const shape = supernetShape(model);
  const layers = supernetLayers(model);
  if (order.heads.length !== shape.layers || order.neurons.length !== shape.layers) {
    throw new ConfigError('The order does not cover every layer', {
      expected: `${shape.layers} head orders and ${shape.layers} neuron orders`,
      received: `${order.heads.length} and ${order.neurons.length}`,
    });
  }
  layers.forEach((layer, index) => {
    checkPermutation(order.heads[index], shape.heads, `head (layer ${index})`);
    checkPermutation(order.neurons[index], shape.ffn, `FFN neuron (layer ${index})`);
    const parameters = [layer.query, layer.key, layer.value, layer.attentionOutput, layer.intermediate, layer.ffnOutput].flatMap((linear) => [linear.weight, (linear as { bias?: Parameter }).bias]);
    for (const parameter of parameters) if (parameter !== undefined) checkTransforms(parameter, `a parameter of layer ${index}`);
  });
  layers.forEach((layer, index) => {
    const rows = tf.tensor1d(order.heads[index].flatMap((head) => Array.from({ length: shape.headSize }, (_, i) => head * shape.headSize + i)), 'int32');
    const neurons = tf.tensor1d(order.neurons[index], 'int32');
    try {
      for (const linear of [layer.query, layer.key, layer.value]) {
        permute(linear.weight, rows, 0);
        permute(linear.bias, rows, 0);
      }
      permute(layer.attentionOutput.weight, rows, 1);
      permute(layer.intermediate.weight, neurons, 0);
      permute(layer.intermediate.bias, neurons, 0);
      permute(layer.ffnOutput.weight, neurons, 1);
    } finally {
      tf.dispose([rows, neurons]);
    }
  });
}

/**
 * Reorders every layer so its most important heads and FFN neurons come first (PaddleSlim's
 * `reorder_neuron_head`), and returns the order applied. Compute `importance` with
 * {@link computeImportance} on the fine-tuned model.
 *
 * @example
 * ```ts
 * const order = reorderByImportance(model, computeImportance(model, batches));
 * ```
 */
export function reorderByImportance(model: EncoderModel, importance: StructureImportance): StructureOrder {
  const order = { heads: importance.heads.map(importanceOrder), neurons: importance.neurons.map(importanceOrder) };
  permuteStructure(model, order);
  return order;
}
