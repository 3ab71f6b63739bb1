import type { EncoderConfig } from './encoder-config';

/** The dotted names of a Linear or LayerNorm's two parameters. */
export interface ParameterPair {
  weight: string;
  bias: string;
}

/** The parameters of one encoder layer, under family-neutral roles. */
export interface LayerTensorNames {
  query: ParameterPair;
  key: ParameterPair;
  value: ParameterPair;
  attentionOutput: ParameterPair;
  attentionNorm: ParameterPair;
  intermediate: ParameterPair;
  output: ParameterPair;
  outputNorm: ParameterPair;
}

const pair = (prefix: string): ParameterPair => ({ weight: `${prefix}.weight`, bias: `${prefix}.bias` });

/**
 * The parameter names of layer `layer`, as the models name them (Hugging Face names without
 * the `bert.` / `distilbert.` prefix).
 *
 * @example
 * ```ts
 * layerTensorNames('bert', 0).query.weight; // 'encoder.layer.0.attention.self.query.weight'
 * ```
 */
export function layerTensorNames(family: EncoderConfig['family'], layer: number): LayerTensorNames {
  if (family === 'bert') {
    const p = `encoder.layer.${layer}`;
    return {
      query: pair(`${p}.attention.self.query`),
      key: pair(`${p}.attention.self.key`),
      value: pair(`${p}.attention.self.value`),
      attentionOutput: pair(`${p}.attention.output.dense`),
      attentionNorm: pair(`${p}.attention.output.LayerNorm`),
      intermediate: pair(`${p}.intermediate.dense`),
      output: pair(`${p}.output.dense`),
      outputNorm: pair(`${p}.output.LayerNorm`),
    };
  }
  const p = `transformer.layer.${layer}`;
  return {
    query: pair(`${p}.attention.q_lin`),
    key: pair(`${p}.attention.k_lin`),
    value: pair(`${p}.attention.v_lin`),
    attentionOutput: pair(`${p}.attention.out_lin`),
    attentionNorm: pair(`${p}.sa_layer_norm`),
    intermediate: pair(`${p}.ffn.lin1`),
    output: pair(`${p}.ffn.lin2`),
    outputNorm: pair(`${p}.output_layer_norm`),
  };
}

/** Names of the embedding and head parameters. */
export const EMBEDDING_NAMES = {
  words: 'embeddings.word_embeddings.weight',
  positions: 'embeddings.position_embeddings.weight',
  tokenTypes: 'embeddings.token_type_embeddings.weight',
  norm: pair('embeddings.LayerNorm'),
} as const;

/** Head parameter names per family. */
export const HEAD_NAMES = {
  bert: {
    pooler: pair('pooler.dense'),
    classifier: pair('classifier'),
    lmTransform: pair('cls.predictions.transform.dense'),
    lmNorm: pair('cls.predictions.transform.LayerNorm'),
    lmBias: 'cls.predictions.bias',
    qa: pair('qa_outputs'),
  },
  distilbert: {
    preClassifier: pair('pre_classifier'),
    classifier: pair('classifier'),
    lmTransform: pair('vocab_transform'),
    lmNorm: pair('vocab_layer_norm'),
    lmBias: 'vocab_projector.bias',
    qa: pair('qa_outputs'),
  },
} as const;

/**
 * Every parameter an encoder of this config has, with its shape (`[out, in]` for Linear
 * weights), in a stable order. A bundle must hold exactly these.
 *
 * @example
 * ```ts
 * encoderTensorShapes(config).get('embeddings.word_embeddings.weight'); // [vocabSize, hiddenSize]
 * ```
 */
export function encoderTensorShapes(config: EncoderConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const hidden = config.hiddenSize;
  const linear = (names: ParameterPair, out: number, input: number) => {
    shapes.set(names.weight, [out, input]);
    shapes.set(names.bias, [out]);
  };
  const norm = (names: ParameterPair) => {
    shapes.set(names.weight, [hidden]);
    shapes.set(names.bias, [hidden]);
  };
  shapes.set(EMBEDDING_NAMES.words, [config.vocabSize, hidden]);
  shapes.set(EMBEDDING_NAMES.positions, [config.maxPositions, hidden]);
  if (config.family === 'bert') shapes.set(EMBEDDING_NAMES.tokenTypes, [config.typeVocabSize, hidden]);
  norm(EMBEDDING_NAMES.norm);
  const size = hidden / config.numHeads;
  for (let layer = 0; layer < config.numLayers; layer++) {
    const names = layerTensorNames(config.family, layer);
    const attention = config.headsPerLayer[layer] * size;
    const inner = config.intermediateSizes[layer];
    linear(names.query, attention, hidden);
    linear(names.key, attention, hidden);
    linear(names.value, attention, hidden);
    linear(names.attentionOutput, hidden, attention);
    norm(names.attentionNorm);
    linear(names.intermediate, inner, hidden);
    linear(names.output, hidden, inner);
    norm(names.outputNorm);
  }
  if (config.family === 'bert') {
    const heads = HEAD_NAMES.bert;
    if (config.pooler) linear(heads.pooler, hidden, hidden);
    if (config.task === 'sequence-classification') linear(heads.classifier, config.numLabels, hidden);
    if (config.task === 'masked-lm') {
      linear(heads.lmTransform, hidden, hidden);
      norm(heads.lmNorm);
      shapes.set(heads.lmBias, [config.vocabSize]);
    }
    if (config.task === 'question-answering') linear(heads.qa, 2, hidden);
  } else {
    const heads = HEAD_NAMES.distilbert;
    if (config.task === 'sequence-classification') {
      linear(heads.preClassifier, hidden, hidden);
      linear(heads.classifier, config.numLabels, hidden);
    }
    if (config.task === 'masked-lm') {
      linear(heads.lmTransform, hidden, hidden);
      norm(heads.lmNorm);
      shapes.set(heads.lmBias, [config.vocabSize]);
    }
    if (config.task === 'question-answering') linear(heads.qa, 2, hidden);
  }
  return shapes;
}
