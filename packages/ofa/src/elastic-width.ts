import { createMaskTransform, tf, type MaskTransform, type Parameter } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { supernetLayers, supernetShape, type SupernetShape } from './supernet-layers';
import { resolveWidth, type ResolvedWidth, type Width } from './width';

/**
 * The kind of the mask transforms {@link setActiveWidth} adds. They are core mask
 * transforms under their own kind, so they compose with a sparsity mask (`core/mask`) or a
 * fake-quantizer on the same weight and are saved and restored by Trainer checkpoints.
 */
export const ELASTIC_WIDTH_TRANSFORM_KIND = 'prune/elastic-width';

/*
 * Why masking computes the sub-network exactly. In a layer with heads h = 0..H-1 of size d,
 * the attention block outputs O = Σ_h W_o[:, h] · ctx_h + b_o, where ctx_h = P_h · (X W_v,hᵀ + b_v,h)
 * and W_o[:, h] are the d output-projection columns of head h. Zeroing W_o[:, h] for every
 * inactive head removes its term, whatever its Q/K/V compute, so O is exactly the output of
 * the layer built from the active heads alone (their Q/K/V rows and W_o columns: what
 * `pruneHeads` slices; the head size d and so the 1/√d scale do not change). Zeroing the
 * inactive V rows and bias as well makes their context (and the `values` feature) zero.
 * Gradients of inactive Q, K, V rows vanish too: ∂L/∂ctx_h = W_o[:, h]ᵀ ∂L/∂O = 0, hence
 * ∂L/∂P_h = 0 and ∂L/∂V_h = 0. Likewise the FFN is Σ_j W_2[:, j] · act(W_1[j] x + b_1[j]) + b_2:
 * zero columns j of W_2 drop neuron j's term exactly; zeroing row j of W_1 and b_1[j] as
 * well makes its pre-activation 0 (gelu, relu and tanh of 0 are 0). Adding exact zeros
 * changes no sum, so the masked full-width model and the physically sliced one differ
 * only by float summation order (tested to 1e-5).
 */

type Role = 'valueWeight' | 'valueBias' | 'attentionOutputWeight' | 'intermediateWeight' | 'intermediateBias' | 'ffnOutputWeight';
type RoleMasks = Record<Role, tf.Tensor>;

interface ElasticState {
  width: ResolvedWidth;
  masks: Map<string, RoleMasks>;
}

const states = new WeakMap<EncoderModel, ElasticState>();

function prefixMask(size: number, kept: number): tf.Tensor1D {
  return kept >= size ? tf.ones([size]) : tf.concat([tf.ones([kept]), tf.zeros([size - kept])]);
}

function buildMasks(shape: SupernetShape, hidden: number, width: ResolvedWidth): RoleMasks {
  const masks = tf.tidy(() => {
    const all = shape.heads * shape.headSize;
    const heads = prefixMask(all, width.heads * shape.headSize);
    const neurons = prefixMask(shape.ffn, width.ffn);
    const rows = (mask: tf.Tensor1D, size: number) => tf.mul(tf.reshape(mask, [size, 1]), tf.ones([1, hidden]));
    const columns = (mask: tf.Tensor1D, size: number) => tf.mul(tf.ones([hidden, 1]), tf.reshape(mask, [1, size]));
    return {
      valueWeight: rows(heads, all),
      valueBias: heads,
      attentionOutputWeight: columns(heads, all),
      intermediateWeight: rows(neurons, shape.ffn),
      intermediateBias: neurons,
      ffnOutputWeight: columns(neurons, shape.ffn),
    };
  });
  for (const mask of Object.values(masks)) tf.keep(mask);
  return masks;
}

function createElasticTransform(mask: tf.Tensor): MaskTransform {
  const inner = createMaskTransform(mask);
  return {
    kind: ELASTIC_WIDTH_TRANSFORM_KIND,
    get mask() {
      return inner.mask;
    },
    apply: (weight) => inner.apply(weight),
    setMask: (next) => inner.setMask(next),
    state: () => ({ mask: inner.mask }),
    loadState: (state) => inner.loadState?.(state),
    dispose: () => inner.dispose?.(),
  };
}

function setMask(parameter: Parameter | undefined, mask: tf.Tensor): void {
  if (parameter === undefined) return;
  const existing = parameter.findTransform(ELASTIC_WIDTH_TRANSFORM_KIND) as MaskTransform | undefined;
  if (existing === undefined) parameter.addTransform(createElasticTransform(tf.clone(mask)));
  else existing.setMask(tf.clone(mask));
}

/**
 * Makes the model compute as its sub-network of the first `heads` heads and first `ffn`
 * FFN neurons of every layer (see {@link resolveWidth} for the rounding), by mask
 * transforms on the value rows and bias and the attention-output columns of inactive
 * heads, and on the intermediate rows and bias and the FFN-output columns of inactive
 * neurons. Reorder by importance first ({@link reorderByImportance}) so the first are the
 * most important. Call it again to switch widths (also inside a loss: the masks are
 * constants); masks per width are cached until {@link removeElasticWidth}. The model's
 * `attentionScores` / `attentionProbs` features keep all heads (inactive heads contribute
 * nothing); `values` are zero for inactive heads.
 *
 * @example
 * ```ts
 * setActiveWidth(model, 0.5);                       // 6 of 12 heads, 1536 of 3072 neurons
 * setActiveWidth(model, { heads: 0.5, ffn: 0.75 }); // per dimension
 * const { logits } = model.forward(inputs);
 * ```
 */
export function setActiveWidth(model: EncoderModel, width: Width): ResolvedWidth {
  const shape = supernetShape(model);
  const resolved = resolveWidth(shape, width);
  const layers = supernetLayers(model);
  const hidden = layers[0].value.weight.shape[1];
  const state = states.get(model) ?? { width: resolved, masks: new Map<string, RoleMasks>() };
  states.set(model, state);
  const key = `${resolved.heads}/${resolved.ffn}`;
  let masks = state.masks.get(key);
  if (masks === undefined) {
    masks = buildMasks(shape, hidden, resolved);
    state.masks.set(key, masks);
  }
  for (const layer of layers) {
    setMask(layer.value.weight, masks.valueWeight);
    setMask(layer.value.bias, masks.valueBias);
    setMask(layer.attentionOutput.weight, masks.attentionOutputWeight);
    setMask(layer.intermediate.weight, masks.intermediateWeight);
    setMask(layer.intermediate.bias, masks.intermediateBias);
    setMask(layer.ffnOutput.weight, masks.ffnOutputWeight);
  }
  state.width = resolved;
  return resolved;
}

/**
 * The width {@link setActiveWidth} last set on this model, or undefined when it has none.
 *
 * @example
 * ```ts
 * setActiveWidth(model, 0.667);
 * activeWidth(model); // { heads: 8, ffn: 2048 } for BERT-base
 * ```
 */
export function activeWidth(model: EncoderModel): ResolvedWidth | undefined {
  return states.get(model)?.width;
}

/**
 * Removes the elastic-width transforms (the model computes at full width again) and frees
 * the cached masks. Other transforms stay.
 *
 * @example
 * ```ts
 * removeElasticWidth(supernet);
 * ```
 */
export function removeElasticWidth(model: EncoderModel): void {
  for (const parameter of model.parameters()) {
    let transform = parameter.removeTransform(ELASTIC_WIDTH_TRANSFORM_KIND);
    while (transform !== undefined) {
      transform.dispose?.();
      transform = parameter.removeTransform(ELASTIC_WIDTH_TRANSFORM_KIND);
    }
  }
  const state = states.get(model);
  if (state !== undefined) for (const masks of state.masks.values()) tf.dispose(Object.values(masks));
  states.delete(model);
}
