import { layerLinearNames } from '@pofa/models';
import { activation, additiveMask, attention, firstToken, floatParameter, layerNorm, linear, type EncoderGraphContext } from './encoder-ops';
import { OnnxExportError } from './onnx-export-error';
import type { OnnxValueInfo } from './onnx-model';

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

const vocabSize = (context: EncoderGraphContext) => context.source.shape('embeddings.word_embeddings.weight')?.[0] ?? 0;

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

/** The output rows of the Linear at `path` (its int8 or fp32 weight). */
function outFeatures(context: EncoderGraphContext, path: string): number {
  return context.source.int8.get(path)?.shape[0] ?? context.source.shape(`${path}.weight`)?.[0] ?? 0;
}

/** The post-LN encoder layers from the embeddings' output; returns the last hidden state. */
function encoderLayers(context: EncoderGraphContext, embedded: string, mask: string): string {
  const { graph, source } = context;
  const { family, activation: act, headSize, headsPerLayer } = source.structure;
  let hidden = embedded;
  headsPerLayer.forEach((heads, index) => {
    const names = layerLinearNames(family, index);
    const prefix = family === 'bert' ? `encoder.layer.${index}` : `transformer.layer.${index}`;
    const norms = family === 'bert' ? { attention: `${prefix}.attention.output.LayerNorm`, output: `${prefix}.output.LayerNorm` } : { attention: `${prefix}.sa_layer_norm`, output: `${prefix}.output_layer_norm` };
    const projected = { query: linear(context, hidden, names.query), key: linear(context, hidden, names.key), value: linear(context, hidden, names.value) };
    const merged = attention(context, projected, mask, heads, headSize, names.query.slice(0, names.query.lastIndexOf('.')));
    const attended = layerNorm(context, graph.node('Add', [linear(context, merged, names.attentionOutput), hidden]), norms.attention);
    const inner = activation(context, linear(context, attended, names.intermediate), act, names.intermediate.slice(0, names.intermediate.lastIndexOf('.')));
    hidden = layerNorm(context, graph.node('Add', [linear(context, inner, names.ffnOutput), attended]), norms.output);
  });
  return hidden;
}

/**
 * Adds a BERT encoder (Hugging Face `BertModel` and its heads) to the graph: inputs `input_ids`,
 * `attention_mask`, `token_type_ids`; outputs `logits` (masked LM `[batch, sequence, vocab]`,
 * classification `[batch, labels]`), `start_logits` / `end_logits` (span QA), or
 * `last_hidden_state` (and `pooler_output`) for the base model.
 *
 * @example
 * ```ts
 * const { inputs, outputs } = bertGraph(context);
 * ```
 */
export function bertGraph(context: EncoderGraphContext): EncoderGraphEnds {
  const { graph, source } = context;
  const { task, hiddenSize, activation: act } = source.structure;
  const mask = additiveMask(context, 'attention_mask');
  const sum = graph.node('Add', [
    graph.node('Add', [lookup(context, 'embeddings.word_embeddings.weight', 'input_ids'), positionEmbeddings(context, 'embeddings.position_embeddings.weight')], { scope: 'embeddings' }),
    lookup(context, 'embeddings.token_type_embeddings.weight', 'token_type_ids'),
  ], { scope: 'embeddings' });
  const hidden = encoderLayers(context, layerNorm(context, sum, 'embeddings.LayerNorm'), mask);
  const inputs = [ids('input_ids'), ids('attention_mask'), ids('token_type_ids')];
  const pooled = source.structure.pooler ? graph.node('Tanh', [linear(context, firstToken(context, hidden, 'pooler'), 'pooler.dense')], { scope: 'pooler' }) : undefined;
  if (task === 'masked-lm') {
    const path = 'cls.predictions.transform';
    const transformed = layerNorm(context, activation(context, linear(context, hidden, `${path}.dense`), act, path), `${path}.LayerNorm`);
    return { inputs, outputs: [output('logits', ['batch', 'sequence', vocabSize(context)], tiedLogits(context, transformed, 'cls.predictions.bias'))] };
  }
  if (task === 'sequence-classification') {
    if (pooled === undefined) throw new OnnxExportError('A BERT classifier needs its pooler', { expected: 'pooler.dense.weight and pooler.dense.bias', received: 'no pooler', hint: 'Pass the pooler\'s tensors (and pooler: true in the config)' });
    return { inputs, outputs: [output('logits', ['batch', outFeatures(context, 'classifier')], linear(context, pooled, 'classifier'))] };
  }
  if (task === 'question-answering') return { inputs, outputs: spanOutputs(context, linear(context, hidden, 'qa_outputs')) };
  const base = [output('last_hidden_state', ['batch', 'sequence', hiddenSize], hidden)];
  return { inputs, outputs: pooled === undefined ? base : [...base, output('pooler_output', ['batch', hiddenSize], pooled)] };
}

/**
 * Adds a DistilBERT encoder (Hugging Face `DistilBertModel` and its heads) to the graph: inputs
 * `input_ids` and `attention_mask` (DistilBERT has no token types, as in Hugging Face's ONNX
 * exports); outputs as {@link bertGraph} (`last_hidden_state` only for the base model).
 *
 * @example
 * ```ts
 * const { inputs, outputs } = distilBertGraph(context);
 * ```
 */
export function distilBertGraph(context: EncoderGraphContext): EncoderGraphEnds {
  const { graph, source } = context;
  const { task, hiddenSize, activation: act } = source.structure;
  const mask = additiveMask(context, 'attention_mask');
  const sum = graph.node('Add', [lookup(context, 'embeddings.word_embeddings.weight', 'input_ids'), positionEmbeddings(context, 'embeddings.position_embeddings.weight')], { scope: 'embeddings' });
  const hidden = encoderLayers(context, layerNorm(context, sum, 'embeddings.LayerNorm'), mask);
  const inputs = [ids('input_ids'), ids('attention_mask')];
  if (task === 'masked-lm') {
    const transformed = layerNorm(context, activation(context, linear(context, hidden, 'vocab_transform'), act, 'vocab_transform'), 'vocab_layer_norm');
    return { inputs, outputs: [output('logits', ['batch', 'sequence', vocabSize(context)], tiedLogits(context, transformed, 'vocab_projector.bias'))] };
  }
  if (task === 'sequence-classification') {
    const pooled = graph.node('Relu', [linear(context, firstToken(context, hidden, 'pre_classifier'), 'pre_classifier')], { scope: 'pre_classifier' });
    return { inputs, outputs: [output('logits', ['batch', outFeatures(context, 'classifier')], linear(context, pooled, 'classifier'))] };
  }
  if (task === 'question-answering') return { inputs, outputs: spanOutputs(context, linear(context, hidden, 'qa_outputs')) };
  return { inputs, outputs: [output('last_hidden_state', ['batch', 'sequence', hiddenSize], hidden)] };
}
