import type { ActivationName } from '@pofa/core';
import type { BertModel, DistilBertModel } from '@pofa/models';
import { activation, additiveMask, attention, firstToken, floatParameter, layerNorm, linear, type EncoderGraphContext } from './encoder-ops';
import type { OnnxValueInfo } from './onnx-proto';

/** The graph inputs and outputs of an encoder graph, and the values the graph computes for its outputs. */
export interface EncoderGraphEnds {
  inputs: OnnxValueInfo[];
  outputs: Array<OnnxValueInfo & { value: string }>;
}

const ids = (name: string): OnnxValueInfo => ({ name, dataType: 'int64', dims: ['batch', 'sequence'] });

function positionEmbeddings(context: EncoderGraphContext, name: string): string {
  const { graph } = context;
  const scope = 'embeddings';
  const length = graph.node('Gather', [graph.node('Shape', ['input_ids'], { scope }), graph.int64(1)], { scope, attributes: { axis: { int: 0 } } });
  const positions = graph.node('Range', [graph.int64(0), length, graph.int64(1)], { scope });
  return graph.node('Gather', [floatParameter(context, name), positions], { scope });
}

function lookup(context: EncoderGraphContext, table: string, input: string): string {
  return context.graph.node('Gather', [floatParameter(context, table), input], { scope: 'embeddings' });
}

function tiedLogits(context: EncoderGraphContext, x: string, bias: string): string {
  const { graph } = context;
  const scope = 'decoder';
  const table = graph.node('Transpose', [floatParameter(context, 'embeddings.word_embeddings.weight')], { scope, attributes: { perm: { ints: [1, 0] } } });
  return graph.node('Add', [graph.node('MatMul', [x, table], { scope }), floatParameter(context, bias)], { scope });
}

function spanOutputs(context: EncoderGraphContext, logits: string): EncoderGraphEnds['outputs'] {
  const pick = (index: number, name: string) => ({
    name,
    dataType: 'float' as const,
    dims: ['batch', 'sequence'],
    value: context.graph.node('Gather', [logits, context.graph.int64(index)], { scope: 'qa_outputs', attributes: { axis: { int: 2 } } }),
  });
  return [pick(0, 'start_logits'), pick(1, 'end_logits')];
}

const output = (name: string, dims: Array<number | string>, value: string) => ({ name, dataType: 'float' as const, dims, value });

/**
 * Adds a BERT model (Hugging Face `BertModel` and its heads) to the graph: inputs `input_ids`,
 * `attention_mask`, `token_type_ids`; outputs `logits` (masked LM `[batch, sequence, vocab]`,
 * classification `[batch, labels]`), `start_logits` / `end_logits` (span QA), or
 * `last_hidden_state` (and `pooler_output`) for the base model.
 *
 * @example
 * ```ts
 * const { inputs, outputs } = bertGraph(context, model);
 * ```
 */
export function bertGraph(context: EncoderGraphContext, model: BertModel): EncoderGraphEnds {
  const { graph } = context;
  const { config } = model;
  const act = config.hidden_act as ActivationName;
  const mask = additiveMask(context, 'attention_mask');
  const sum = graph.node('Add', [
    graph.node('Add', [lookup(context, 'embeddings.word_embeddings.weight', 'input_ids'), positionEmbeddings(context, 'embeddings.position_embeddings.weight')], { scope: 'embeddings' }),
    lookup(context, 'embeddings.token_type_embeddings.weight', 'token_type_ids'),
  ], { scope: 'embeddings' });
  let hidden = layerNorm(context, sum, model.embeddings.LayerNorm, 'embeddings.LayerNorm');
  model.encoder.layer.items.forEach((layer, index) => {
    const path = `encoder.layer.${index}`;
    const self = layer.attention.self;
    const projected = {
      query: linear(context, hidden, self.query, `${path}.attention.self.query`),
      key: linear(context, hidden, self.key, `${path}.attention.self.key`),
      value: linear(context, hidden, self.value, `${path}.attention.self.value`),
    };
    const merged = attention(context, projected, mask, self.heads, self.query.outFeatures / self.heads, `${path}.attention.self`);
    const attentionOutput = layer.attention.output;
    const attended = layerNorm(context, graph.node('Add', [linear(context, merged, attentionOutput.dense, `${path}.attention.output.dense`), hidden]), attentionOutput.LayerNorm, `${path}.attention.output.LayerNorm`);
    const inner = activation(context, linear(context, attended, layer.intermediate.dense, `${path}.intermediate.dense`), act, `${path}.intermediate`);
    hidden = layerNorm(context, graph.node('Add', [linear(context, inner, layer.output.dense, `${path}.output.dense`), attended]), layer.output.LayerNorm, `${path}.output.LayerNorm`);
  });
  const inputs = [ids('input_ids'), ids('attention_mask'), ids('token_type_ids')];
  const pooled = model.pooler === undefined ? undefined : graph.node('Tanh', [linear(context, firstToken(context, hidden, 'pooler'), model.pooler.dense, 'pooler.dense')], { scope: 'pooler' });
  if (model.cls !== undefined) {
    const transform = model.cls.predictions.transform;
    const path = 'cls.predictions.transform';
    const transformed = layerNorm(context, activation(context, linear(context, hidden, transform.dense, `${path}.dense`), act, path), transform.LayerNorm, `${path}.LayerNorm`);
    return { inputs, outputs: [output('logits', ['batch', 'sequence', config.vocab_size], tiedLogits(context, transformed, 'cls.predictions.bias'))] };
  }
  if (model.classifier !== undefined && pooled !== undefined) return { inputs, outputs: [output('logits', ['batch', config.num_labels], linear(context, pooled, model.classifier, 'classifier'))] };
  if (model.qa_outputs !== undefined) return { inputs, outputs: spanOutputs(context, linear(context, hidden, model.qa_outputs, 'qa_outputs')) };
  const base = [output('last_hidden_state', ['batch', 'sequence', config.hidden_size], hidden)];
  return { inputs, outputs: pooled === undefined ? base : [...base, output('pooler_output', ['batch', config.hidden_size], pooled)] };
}

/**
 * Adds a DistilBERT model (Hugging Face `DistilBertModel` and its heads) to the graph: inputs
 * `input_ids` and `attention_mask` (DistilBERT has no token types, as in Hugging Face's ONNX
 * exports); outputs as {@link bertGraph} (`last_hidden_state` only for the base model).
 *
 * @example
 * ```ts
 * const { inputs, outputs } = distilBertGraph(context, model);
 * ```
 */
export function distilBertGraph(context: EncoderGraphContext, model: DistilBertModel): EncoderGraphEnds {
  const { graph } = context;
  const { config } = model;
  const act = config.activation as ActivationName;
  const mask = additiveMask(context, 'attention_mask');
  const sum = graph.node('Add', [lookup(context, 'embeddings.word_embeddings.weight', 'input_ids'), positionEmbeddings(context, 'embeddings.position_embeddings.weight')], { scope: 'embeddings' });
  let hidden = layerNorm(context, sum, model.embeddings.LayerNorm, 'embeddings.LayerNorm');
  model.transformer.layer.items.forEach((layer, index) => {
    const path = `transformer.layer.${index}`;
    const self = layer.attention;
    const projected = {
      query: linear(context, hidden, self.q_lin, `${path}.attention.q_lin`),
      key: linear(context, hidden, self.k_lin, `${path}.attention.k_lin`),
      value: linear(context, hidden, self.v_lin, `${path}.attention.v_lin`),
    };
    const merged = attention(context, projected, mask, self.heads, self.q_lin.outFeatures / self.heads, `${path}.attention`);
    const normed = layerNorm(context, graph.node('Add', [linear(context, merged, self.out_lin, `${path}.attention.out_lin`), hidden]), layer.sa_layer_norm, `${path}.sa_layer_norm`);
    const inner = activation(context, linear(context, normed, layer.ffn.lin1, `${path}.ffn.lin1`), act, `${path}.ffn`);
    hidden = layerNorm(context, graph.node('Add', [linear(context, inner, layer.ffn.lin2, `${path}.ffn.lin2`), normed]), layer.output_layer_norm, `${path}.output_layer_norm`);
  });
  const inputs = [ids('input_ids'), ids('attention_mask')];
  if (model.vocab_transform !== undefined && model.vocab_layer_norm !== undefined) {
    const transformed = layerNorm(context, activation(context, linear(context, hidden, model.vocab_transform, 'vocab_transform'), act, 'vocab_transform'), model.vocab_layer_norm, 'vocab_layer_norm');
    return { inputs, outputs: [output('logits', ['batch', 'sequence', config.vocab_size], tiedLogits(context, transformed, 'vocab_projector.bias'))] };
  }
  if (model.pre_classifier !== undefined && model.classifier !== undefined) {
    const pooled = graph.node('Relu', [linear(context, firstToken(context, hidden, 'pre_classifier'), model.pre_classifier, 'pre_classifier')], { scope: 'pre_classifier' });
    return { inputs, outputs: [output('logits', ['batch', config.num_labels], linear(context, pooled, model.classifier, 'classifier'))] };
  }
  if (model.qa_outputs !== undefined) return { inputs, outputs: spanOutputs(context, linear(context, hidden, model.qa_outputs, 'qa_outputs')) };
  return { inputs, outputs: [output('last_hidden_state', ['batch', 'sequence', config.dim], hidden)] };
}
