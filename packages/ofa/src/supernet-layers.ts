import { ConfigError, type Parameter } from '@pofa/core';
import { layerLinearNames, layerStructure, type EncoderModel } from '@pofa/models';
import type { LayerShape } from './width';

/** The parameters of one encoder layer that head and neuron structure lives in. */
export interface SupernetLayer {
  query: { weight: Parameter; bias?: Parameter };
  key: { weight: Parameter; bias?: Parameter };
  value: { weight: Parameter; bias?: Parameter };
  /** Attention output projection; its input columns are the heads. */
  attentionOutput: { weight: Parameter };
  /** FFN first projection; its output rows (and bias) are the neurons. */
  intermediate: { weight: Parameter; bias?: Parameter };
  /** FFN second projection; its input columns are the neurons. */
  ffnOutput: { weight: Parameter };
}

/** The shape every layer of a supernet shares. */
export interface SupernetShape extends LayerShape {
  layers: number;
  /** Width of one head (`hidden / heads`). */
  headSize: number;
}

function parameterAt(model: EncoderModel, path: string): Parameter {
  const parameter = model.getParameter(path);
  if (parameter === undefined) {
    throw new ConfigError(`The model has no parameter ${path}`, { expected: 'a BERT or DistilBERT model built by @pofa/models', received: model.constructor.name });
  }
  return parameter;
}

/**
 * The shape of a supernet: every layer must have all its heads and the same FFN width (an
 * unpruned model); a structurally pruned one is a `ConfigError`.
 *
 * @example
 * ```ts
 * supernetShape(bertBase); // { layers: 12, heads: 12, headSize: 64, ffn: 3072 }
 * ```
 */
export function supernetShape(model: EncoderModel): SupernetShape {
  const first = layerStructure(model.config, 0);
  for (let layer = 0; layer < model.numLayers; layer++) {
    const structure = layerStructure(model.config, layer);
    if (structure.heads.length !== model.numHeads || structure.intermediateSize !== first.intermediateSize) {
      throw new ConfigError(`Layer ${layer} of the model is structurally pruned`, {
        expected: `every layer with all ${model.numHeads} heads and ${first.intermediateSize} FFN neurons`,
        received: `${structure.heads.length} heads and ${structure.intermediateSize} neurons`,
        hint: 'Build the supernet from the unpruned fine-tuned model; export sub-models with exportSubModel',
      });
    }
  }
  return { layers: model.numLayers, heads: model.numHeads, headSize: first.headSize, ffn: first.intermediateSize };
}

/**
 * The structure-carrying parameters of each encoder layer (BERT or DistilBERT naming).
 *
 * @example
 * ```ts
 * const [first] = supernetLayers(model);
 * first.value.weight.shape; // [hidden, hidden]
 * ```
 */
export function supernetLayers(model: EncoderModel): SupernetLayer[] {
  return Array.from({ length: model.numLayers }, (_, layer) => {
    const names = layerLinearNames(model.family, layer);
    const linear = (path: string) => ({ weight: parameterAt(model, `${path}.weight`), bias: model.getParameter(`${path}.bias`) });
    return {
      query: linear(names.query),
      key: linear(names.key),
      value: linear(names.value),
      attentionOutput: { weight: parameterAt(model, `${names.attentionOutput}.weight`) },
      intermediate: linear(names.intermediate),
      ffnOutput: { weight: parameterAt(model, `${names.ffnOutput}.weight`) },
    };
  });
}
