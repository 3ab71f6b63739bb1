import { tf } from '@pofa/core';
import { createModel, createWordPieceTokenizer, presetConfig, type BertTokenizer, type EncoderModel } from '@pofa/models';
import type { SquadExample } from '@pofa/tasks';

/** A vocabulary that covers every word of {@link SQUAD_EXAMPLES}. */
export const SQUAD_VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  'who', 'won', 'lost', 'where', 'was', 'it', 'played', '?', '.', ',',
  'the', 'denver', 'broncos', 'beat', 'carolina', 'panthers', 'in', 'miami', 'x', 'game',
];

const GAME = 'The Denver Broncos beat the Carolina Panthers in Miami.';

/**
 * Three questions on one paragraph (gold answers with articles, casing and a second answer)
 * and one on a long context whose answer lies in its second window only (at maxLength 16,
 * docStride 4: see the tests).
 */
export const SQUAD_EXAMPLES: SquadExample[] = [
  { id: 'won', title: 'game', context: GAME, question: 'Who won?', answers: [{ text: 'The Denver Broncos', answerStart: 0 }, { text: 'Broncos', answerStart: 11 }] },
  { id: 'lost', title: 'game', context: GAME, question: 'Who lost?', answers: [{ text: 'Carolina Panthers', answerStart: 28 }] },
  { id: 'where', title: 'game', context: GAME, question: 'Where was it played?', answers: [{ text: 'Miami', answerStart: 49 }] },
  {
    id: 'long',
    title: 'long',
    context: 'x x x x x x x x x x Denver Broncos x x x x x x.',
    question: 'Who won?',
    answers: [{ text: 'Denver Broncos', answerStart: 20 }],
  },
];

/** The WordPiece tokenizer of {@link SQUAD_VOCAB}. */
export function squadTestTokenizer(): Promise<BertTokenizer> {
  return createWordPieceTokenizer({ vocab: SQUAD_VOCAB, maxLength: 64 });
}

/** A two-layer BERT with a span head and no dropout (so training and eval passes agree). */
export function tinySpanModel(seed: number): EncoderModel {
  const config = presetConfig('bert-tiny', {
    vocab_size: SQUAD_VOCAB.length, num_hidden_layers: 2, hidden_size: 8, num_attention_heads: 2, intermediate_size: 16,
    hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, max_position_embeddings: 64,
  });
  return createModel(config, { task: 'question-answering', seed });
}

/**
 * A stand-in span model whose logits are set by rule: in context tokens (token type 1), start
 * logit 10 on the id `rules[question's second token].start`, end logit 10 on `.end`, 3 on
 * `carolina` (a decoy), 0 elsewhere. What it answers can be worked out by hand.
 */
export function ruledSpanModel(rules: Record<number, { start: number; end: number }>, decoy: number): EncoderModel {
  const forward = (inputs: { inputIds: tf.Tensor; tokenTypeIds: tf.Tensor; attentionMask: tf.Tensor }) => {
    const ids = inputs.inputIds.arraySync() as number[][];
    const types = inputs.tokenTypeIds.arraySync() as number[][];
    const logits = (side: 'start' | 'end') =>
      ids.map((row, r) => row.map((id, position) => {
        if (types[r][position] !== 1) return 0;
        return id === rules[row[2]]?.[side] ? 10 : id === decoy ? 3 : 0;
      }));
    return { startLogits: tf.tensor2d(logits('start')), endLogits: tf.tensor2d(logits('end')), mask: tf.cast(inputs.attentionMask, 'float32') };
  };
  return { eval: () => undefined, forward } as unknown as EncoderModel;
}
