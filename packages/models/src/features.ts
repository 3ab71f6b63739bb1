import type { ForwardContext, tf } from '@pofa/core';

/** Token ids and masks, each `[batch, seq]` int32 tensors (or nested arrays). */
export interface ModelInputs {
  inputIds: tf.Tensor | number[][];
  /** 1 for real tokens, 0 for padding (default: all ones). */
  attentionMask?: tf.Tensor | number[][];
  /** Segment ids (BERT only; default: all zeros). */
  tokenTypeIds?: tf.Tensor | number[][];
}

/** Which intermediate features a forward pass keeps (all off by default). */
export interface FeatureRequest {
  /** Embedding output and each layer's output. */
  hidden?: boolean;
  /** Pre-softmax attention scores with the mask added. */
  attentionScores?: boolean;
  /** Attention probabilities (softmax, before attention dropout). */
  attentionProbs?: boolean;
  /** Value projections per head. */
  values?: boolean;
}

/** Options of a forward pass: dropout mode, seeded randomness, requested features. */
export interface ForwardOptions extends ForwardContext {
  features?: FeatureRequest;
}

/**
 * What a forward pass returns. The caller owns every tensor (dispose them, or run the
 * forward inside `tf.tidy`). Feature arrays are empty unless requested.
 */
export interface ModelOutputs {
  /** Head output: `[batch, seq, vocab]` (masked LM) or `[batch, numLabels]` (classification). */
  logits?: tf.Tensor;
  /** Span QA start logits `[batch, seq]`. */
  startLogits?: tf.Tensor;
  /** Span QA end logits `[batch, seq]`. */
  endLogits?: tf.Tensor;
  /** Pooler output `[batch, hidden]` (BERT with a pooler). */
  pooled?: tf.Tensor;
  /** Output of the last layer `[batch, seq, hidden]`, always present. */
  lastHidden: tf.Tensor;
  /** The attention mask as float32 `[batch, seq]` (1 = token, 0 = padding). */
  mask: tf.Tensor;
  /** `hidden[0]` = embedding output, `hidden[i]` = output of layer i, each `[batch, seq, hidden]`. */
  hidden: tf.Tensor[];
  /** Per layer, `[batch, heads, seq, seq]` scores / √d plus the additive mask. */
  attentionScores: tf.Tensor[];
  /** Per layer, `[batch, heads, seq, seq]` softmax of the scores. */
  attentionProbs: tf.Tensor[];
  /** Per layer, `[batch, heads, seq, headDim]` value projections. */
  values: tf.Tensor[];
}

/** The per-layer features an encoder layer hands back. */
export interface LayerFeatures {
  scores?: tf.Tensor;
  probs?: tf.Tensor;
  values?: tf.Tensor;
}

/** The head a model carries, in Hugging Face's words. */
export type TaskName = 'base' | 'masked-lm' | 'sequence-classification' | 'question-answering';

/** The task names, for validation and listings. */
export const TASK_NAMES: readonly TaskName[] = ['base', 'masked-lm', 'sequence-classification', 'question-answering'];
