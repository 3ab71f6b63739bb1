import type { Modifier } from '@pofa/core';
import { distillationPreset, mapLayers, type DistillationConfigInput, type PresetShape } from '@pofa/distill';
import { createGradualPruningModifier } from '@pofa/prune';

/**
 * The stages of the Prune OFA pipeline, in order, with what each reads and what it writes. Every
 * command runs these stages and no other copy of them: `pofa compress` all of them for one task,
 * `pofa pretrain`/`prune`/`finetune`/`quantize` a prefix of them (`compress --until`), `pofa
 * transfer` the last three from a user's sparse checkpoint, and `pofa reproduce` every cell of the
 * paper's table (a cell shares its first stages with the others of its model). The functions are
 * `cachedVocabulary` and `pretrainDense` (teacher.ts), `finetuneDense` (teacher.ts),
 * `sparsePretrain` and `sparseTransfer` (sparse.ts), `quantizationAwareTraining` (quantize.ts) and
 * `measureRows` (report-rows.ts); each runs once per identity in its stage folder (`onceIn` of
 * the run-folder module).
 *
 * @example
 * ```ts
 * PRUNE_OFA_STAGES.map((stage) => stage.name).join(' → ');
 * // 'vocabulary → teacher-pretrain → teacher-finetune → sparse-pretrain → sparse-transfer → quantize → bundles'
 * ```
 */
export const PRUNE_OFA_STAGES = [
  { name: 'vocabulary', reads: ['corpus'], writes: 'vocab.txt', does: 'WordPiece vocabulary trained on the pre-training corpus, with a user file\'s training texts (cached)' },
  { name: 'teacher-pretrain', reads: ['corpus', 'vocabulary'], writes: 'model (masked LM)', does: 'dense teacher pre-trained with masked LM (with a user file\'s training texts), or distilled from a larger one (cached)' },
  { name: 'teacher-finetune', reads: ['teacher-pretrain', 'task'], writes: 'model (task head)', does: 'dense teacher fine-tuned on the task, keeping its best validation step: the dense row (cached)' },
  { name: 'sparse-pretrain', reads: ['teacher-pretrain', 'corpus'], writes: 'model (masked LM, zeros baked in)', does: 'masked LM + distillation from the teacher while gradual magnitude pruning sparsifies the encoder' },
  { name: 'sparse-transfer', reads: ['sparse-pretrain', 'teacher-finetune', 'task'], writes: 'model (task head)', does: 'fine-tuning with the pattern locked and task distillation from the fine-tuned teacher' },
  { name: 'quantize', reads: ['sparse-transfer', 'teacher-finetune', 'task'], writes: 'model + model-int8.safetensors', does: 'quantization-aware training to int8, pattern lock and distillation kept' },
  { name: 'bundles', reads: ['teacher-finetune', 'sparse-transfer', 'quantize'], writes: 'bundles/*.pofa + report.json', does: 'deployable bundles, their metrics, sizes and latency: the table' },
] as const;

/** A name of {@link PRUNE_OFA_STAGES}. */
export type PruneOfaStageName = (typeof PRUNE_OFA_STAGES)[number]['name'];

/**
 * The paper's settings (Zafrir et al. 2021, §3 and the released code), in one place: the
 * distillation of sparse pre-training and transfer (0.5 · hard + 0.5 · KL at T = 2; logits MSE for
 * regression, where a softmax over one output carries nothing), the pruning schedule as fractions
 * of the sparse pre-training steps (cubic, 0 → final over the first half, ten mask updates,
 * masks still recomputed at the final sparsity up to 80%, then fixed), the student initialised
 * from every teacher layer, and QAT with 8-bit symmetric weights per tensor (per output row as an
 * option) and 8-bit inputs observed by EMA, frozen after 75% of the QAT steps.
 *
 * @example
 * ```ts
 * PRUNE_OFA_RECIPE.qat.perChannel; // false: per tensor, as the paper
 * ```
 */
export const PRUNE_OFA_RECIPE = {
  distillation: distillationPreset('prune-ofa'),
  regressionDistillation: { temperature: 1, hardWeight: 0.5, softWeight: 0.5, softLoss: 'distill/logits-mse' },
  pruning: { schedule: 'cubic', endFraction: 0.5, maskUpdateEndFraction: 0.8, updates: 10 },
  qat: { bits: 8, perChannel: false, observer: 'ema', freezeObserversAt: 0.75 },
} as const satisfies {
  distillation: DistillationConfigInput;
  regressionDistillation: DistillationConfigInput;
  pruning: { schedule: 'cubic'; endFraction: number; maskUpdateEndFraction: number; updates: number };
  qat: { bits: 8; perChannel: boolean; observer: 'ema'; freezeObserversAt: number };
};

/** The sparsity patterns `--pattern` accepts. */
export const PATTERNS = ['unstructured', '4x1', '2:4'] as const;

/** One of {@link PATTERNS}. */
export type PatternName = (typeof PATTERNS)[number];

/**
 * The sparsity a pattern reaches: N:M patterns fix it (2:4 → 0.5), the others take `--sparsity`.
 *
 * @example
 * ```ts
 * effectiveSparsity('2:4', 0.9); // 0.5
 * ```
 */
export function effectiveSparsity(pattern: PatternName, sparsity: number): number {
  return pattern === '2:4' ? 0.5 : sparsity;
}

/**
 * The pruning of sparse pre-training by {@link PRUNE_OFA_RECIPE}, scaled from the paper's
 * 100k-step run to `steps`: cubic gradual magnitude pruning of every encoder Linear weight,
 * layer by layer, 0 → final over the first half, masks recomputed up to 80%, then fixed.
 *
 * @example
 * ```ts
 * const [pruning] = defaultPruningModifiers(250, 0.9, 'unstructured'); // endStep 125, every 12 steps, masks fixed from step 200
 * ```
 */
export function defaultPruningModifiers(steps: number, sparsity: number, pattern: PatternName): Modifier[] {
  const { schedule, endFraction, maskUpdateEndFraction, updates } = PRUNE_OFA_RECIPE.pruning;
  const endStep = Math.max(1, Math.floor(steps * endFraction));
  return [
    createGradualPruningModifier({
      finalSparsity: effectiveSparsity(pattern, sparsity),
      schedule,
      startStep: 0,
      endStep,
      frequency: Math.max(1, Math.floor(endStep / updates)),
      maskUpdateEndStep: Math.max(endStep, Math.floor(steps * maskUpdateEndFraction)),
      pattern,
    }),
  ];
}

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
 * whose gradients accumulate (the optimizer still steps on the whole batch). SQuAD's 12 × 384 in
 * one pass took over 24 GiB; with 2048 tokens (16 × 128) a BERT-Base SST-2 run with a teacher
 * peaks at 6.15 GiB.
 */
export const TRANSFER_TOKEN_BUDGET = 2048;

/**
 * Query-key pairs per head per pass of a transfer (examples × sequence²), the attention's share
 * of the activations, which grows with the square of the sequence: 2 × 384². Measured on
 * BERT-Base SQuAD with a teacher (4 + 4 steps): 4 × 384 per pass peaked at 11.7 GiB, 2 × 384 at
 * 7.7 GiB (and ran faster). Sequences of 128 keep their 16 per pass.
 */
export const TRANSFER_ATTENTION_BUDGET = 2 * 384 * 384;

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
