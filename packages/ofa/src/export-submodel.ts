import { pruneFfnNeurons, pruneHeads, type EncoderModel, type StructureToRemove } from '@pofa/models';
import { cloneAtFullWidth } from './clone-model';
import { supernetShape } from './supernet-layers';
import { resolveWidth, type Width } from './width';

function tail(layers: number, kept: number, size: number): StructureToRemove {
  const dropped = Array.from({ length: size - kept }, (_, i) => kept + i);
  return Object.fromEntries(Array.from({ length: layers }, (_, layer) => [layer, dropped]));
}

/**
 * The sub-network of a supernet at `width` as a standalone, smaller model: every layer keeps
 * its first heads and FFN neurons (the ones {@link setActiveWidth} keeps), physically sliced
 * by `pruneHeads` / `pruneFfnNeurons` of `@pofa/models`. The config records the dropped
 * heads in `pruned_heads` and the kept width in `intermediate_size` (`hidden_dim` for
 * DistilBERT), so `savePretrained` writes a checkpoint that `loadPretrained` (and Hugging
 * Face `transformers`) read back. Its outputs equal the supernet's at that width. Sparsity
 * masks are sliced and kept; elastic-width masks are not carried. The supernet is left as
 * it is; the new model is in eval mode.
 *
 * @example
 * ```ts
 * const half = exportSubModel(supernet, 0.5);
 * await savePretrained(half, 'out/width-0.5');
 * ```
 */
export function exportSubModel(supernet: EncoderModel, width: Width): EncoderModel {
  const shape = supernetShape(supernet);
  const resolved = resolveWidth(shape, width);
  let model = cloneAtFullWidth(supernet);
  try {
    if (resolved.heads < shape.heads) {
      const smaller = pruneHeads(model, tail(shape.layers, resolved.heads, shape.heads));
      model.dispose();
      model = smaller;
    }
    if (resolved.ffn < shape.ffn) {
      const smaller = pruneFfnNeurons(model, tail(shape.layers, resolved.ffn, shape.ffn));
      model.dispose();
      model = smaller;
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model.eval();
}
