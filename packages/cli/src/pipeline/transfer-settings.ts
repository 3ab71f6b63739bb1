import { mapLayers, type DistillationConfigInput, type PresetShape } from '@pofa/distill';

/** The kinds of downstream task a transfer trains: sentence(-pair) classification/regression, or span QA. */
export type TransferTaskKind = 'classification' | 'span';

/** Training settings of one transfer stage as the paper's reference scripts give them. */
export interface PaperStageSettings {
  epochs: number;
  learningRate: number;
  batchSize: number;
}

/** The paper's transfer settings for one kind of task: the two stages and the sequence length. */
export interface PaperTransferSettings {
  maxLength: number;
  /** SQuAD windows overlap by this many tokens. */
  docStride?: number;
  transfer: PaperStageSettings;
  quantize: PaperStageSettings;
}

/**
 * The transfer settings of Prune Once for All (Zafrir et al. 2021), the one place pofa keeps
 * them: stage 1 fine-tunes the sparse pre-trained model with its pattern locked and the teacher
 * distilled, stage 2 adds quantization-aware training. GLUE: sequence 128, batch 32, learning rate
 * 1e-4 for 9 epochs, then 1e-5 for 3 epochs with QAT (the reference scripts published with the
 * paper's checkpoints, IntelLabs/Intel Neural Compressor `prune_once_for_all` examples). SQuAD
 * v1.1: sequence 384, doc stride 128, batch 12, learning rate 1.5e-4 for 8 epochs, then 1e-5 for 2
 * epochs with QAT. Every stage warms up linearly over its first 10% of steps and decays linearly.
 *
 * @example
 * ```ts
 * PAPER_TRANSFER.span.maxLength; // 384
 * ```
 */
export const PAPER_TRANSFER: Readonly<Record<TransferTaskKind, PaperTransferSettings>> = {
  classification: {
    maxLength: 128,
    transfer: { epochs: 9, learningRate: 1e-4, batchSize: 32 },
    quantize: { epochs: 3, learningRate: 1e-5, batchSize: 32 },
  },
  span: {
    maxLength: 384,
    docStride: 128,
    transfer: { epochs: 8, learningRate: 1.5e-4, batchSize: 12 },
    quantize: { epochs: 2, learningRate: 1e-5, batchSize: 12 },
  },
};

/**
 * Tokens per forward/backward pass of a transfer: larger batches are split into micro-batches
 * whose gradients accumulate (the optimizer still steps on the whole batch). 2048 tokens keep a
 * BERT-Base step near 10 GiB; SQuAD's 12 × 384 in one pass took over 24 GiB.
 */
export const TRANSFER_TOKEN_BUDGET = 2048;

/** The temperature of the paper's logit distillation. */
export const TRANSFER_TEMPERATURE = 2;

/**
 * The distillation of a transfer from a dense fine-tuned teacher, as the reference scripts run it
 * (`--loss_weights 0 1 --temperature 2`): the student learns from the teacher's logits only, KL ·
 * T² at T = 2 with hard-label weight 0 (span QA: over the positions, for the start and the end).
 * With `hidden` (`pofa transfer --distill-hidden`) it also matches hidden states, TinyBERT's way:
 * the MSE of the embeddings and of each student layer's output against the teacher layer of the
 * `uniform` mapping (weight 1 each, padding masked out), through a learned projection where the
 * widths differ.
 *
 * @example
 * ```ts
 * transferDistillation(); // { temperature: 2, hardWeight: 0, softWeight: 1, softLoss: 'distill/kd-kl-divergence' }
 * transferDistillation({ studentLayers: 6, teacherLayers: 12 }); // + embeddings and layers 1..6 ↔ 2, 4, ..., 12
 * ```
 */
export function transferDistillation(hidden?: PresetShape): DistillationConfigInput {
  const logits = { temperature: TRANSFER_TEMPERATURE, hardWeight: 0, softWeight: 1, softLoss: 'distill/kd-kl-divergence' };
  if (hidden === undefined) return logits;
  const projection =
    hidden.studentHidden !== undefined && hidden.teacherHidden !== undefined && hidden.studentHidden !== hidden.teacherHidden
      ? { studentDim: hidden.studentHidden, teacherDim: hidden.teacherHidden }
      : undefined;
  return {
    ...logits,
    intermediate: [
      { studentLayer: 0, teacherLayer: 0, feature: 'embeddings', loss: 'distill/hidden-mse', ...(projection === undefined ? {} : { projection }) },
      ...mapLayers(hidden.studentLayers, hidden.teacherLayers, 'uniform').map(({ studentLayer, teacherLayer }) => (
        { studentLayer, teacherLayer, feature: 'hidden' as const, loss: 'distill/hidden-mse', ...(projection === undefined ? {} : { projection }) }
      )),
    ],
  };
}
