import { EMBEDDED_RUN_SIZES, type RunSizes } from './data';

/** The paper's three models. */
export type PaperModelName = 'bert-base' | 'bert-large' | 'distilbert';

/** A model row of the table: the paper's model it stands for, and the shape of its analogue. */
export interface PaperModelSpec {
  name: PaperModelName;
  paper: 'BERT-Base' | 'BERT-Large' | 'DistilBERT';
  layers: number;
  hidden: number;
  heads: number;
  /** The DistilBERT analogue is distilled from the BERT-Base one. */
  distilledFrom?: PaperModelName;
}

/** The sizes of the stages of a run: data, sequence length, batch, steps and learning rates. */
export interface StageSizes extends RunSizes {
  /** Optimizer steps per stage; 0 means `epochs` over the task's training set (the `full` scale). */
  steps: { teacherPretrain: number; teacherFinetune: number; sparsePretrain: number; transfer: number; qat: number };
  learningRate: { pretrain: number; finetune: number; qat: number };
  epochs?: { teacherFinetune: number; transfer: number; qat: number };
  /** Optimizer steps between two checkpoints of a stage (what an interruption can lose at most). */
  checkpointEvery: number;
}

/** A built-in scale of the Prune OFA table: its models and tasks besides the stage sizes. */
export interface PruneOfaScale extends StageSizes {
  models: PaperModelSpec[];
  tasks: string[];
}

/**
 * The paper's three models at a scale. The analogues keep the paper's depth ratios: BERT-Large has
 * twice BERT-Base's layers and a wider hidden size (1024 vs 768, ×1.33); DistilBERT has half of
 * BERT-Base's layers at the same width and is made by distillation from it (its layers are
 * initialised from every other teacher layer, then it trains with masked LM + KL to the teacher).
 */
const modelsOf = (
  base: { layers: number; hidden: number },
  large: { layers: number; hidden: number },
  distil: { layers: number; hidden: number },
  heads: { base: number; large: number },
): PaperModelSpec[] => [
  { name: 'bert-base', paper: 'BERT-Base', layers: base.layers, hidden: base.hidden, heads: heads.base },
  { name: 'bert-large', paper: 'BERT-Large', layers: large.layers, hidden: large.hidden, heads: heads.large },
  { name: 'distilbert', paper: 'DistilBERT', layers: distil.layers, hidden: distil.hidden, heads: heads.base, distilledFrom: 'bert-base' },
];

/**
 * The built-in scales of `pofa reproduce` for the Prune OFA table (the `full` scale's shapes come
 * from the `--teacher` checkpoints):
 *
 * | scale | BERT-Base-like | BERT-Large-like | DistilBERT-like | tasks | data |
 * | --- | --- | --- | --- | --- | --- |
 * | `smoke` | 2 × 16 | 3 × 24 | 1 × 16 | sotu-party | a few hundred texts, a handful of steps (tests) |
 * | `tiny` | 2 × 64 | — (does not learn in 5 minutes) | 1 × 64 | spam | 1,500 corpus texts, sequences of 32 (under 5 minutes) |
 * | `mini` | 4 × 256 (bert-mini) | — (too slow for 2 cores) | 2 × 256 | all four embedded | 20,000 corpus texts, sequences of 64 (hours) |
 *
 * @example
 * ```ts
 * PRUNE_OFA_SCALES.tiny.models.map((model) => `${model.layers}x${model.hidden}`); // ['2x64', '1x64']
 * ```
 */
export const PRUNE_OFA_SCALES: Record<'smoke' | 'tiny' | 'mini', PruneOfaScale> = {
  smoke: {
    models: modelsOf({ layers: 2, hidden: 16 }, { layers: 3, hidden: 24 }, { layers: 1, hidden: 16 }, { base: 2, large: 2 }),
    tasks: ['sotu-party'],
    ...EMBEDDED_RUN_SIZES.smoke,
    steps: { teacherPretrain: 6, teacherFinetune: 6, sparsePretrain: 8, transfer: 6, qat: 4 },
    learningRate: { pretrain: 2e-3, finetune: 2e-3, qat: 5e-4 },
    checkpointEvery: 3,
  },
  tiny: {
    // No BERT-Large analogue: a 4 × 80 model does not learn spam in the steps five minutes allow (its dense F1 stayed 0).
    models: modelsOf({ layers: 2, hidden: 64 }, { layers: 4, hidden: 80 }, { layers: 1, hidden: 64 }, { base: 2, large: 2 }).filter((model) => model.name !== 'bert-large'),
    tasks: ['spam'],
    ...EMBEDDED_RUN_SIZES.tiny,
    steps: { teacherPretrain: 50, teacherFinetune: 100, sparsePretrain: 30, transfer: 120, qat: 20 },
    learningRate: { pretrain: 3e-3, finetune: 3e-3, qat: 5e-4 },
    checkpointEvery: 50,
  },
  mini: {
    // No BERT-Large analogue at this scale: an 8-layer, 320-wide model alone would take most of a day on 2 cores.
    models: modelsOf({ layers: 4, hidden: 256 }, { layers: 8, hidden: 320 }, { layers: 2, hidden: 256 }, { base: 4, large: 5 }).filter((model) => model.name !== 'bert-large'),
    tasks: ['spam', 'sotu-party', 'sotu-pair', 'sotu-year'],
    ...EMBEDDED_RUN_SIZES.mini,
    steps: { teacherPretrain: 400, teacherFinetune: 120, sparsePretrain: 300, transfer: 120, qat: 40 },
    learningRate: { pretrain: 1e-3, finetune: 1e-3, qat: 2e-4 },
    checkpointEvery: 20,
  },
};

/**
 * The sparsities of the table's rows, with their variant names (the "+ QAT" rows add `+qat`).
 *
 * @example
 * ```ts
 * PRUNE_OFA_SPARSITIES.map((item) => item.variant); // ['85', '90']
 * ```
 */
export const PRUNE_OFA_SPARSITIES = [
  { variant: '85', sparsity: 0.85 },
  { variant: '90', sparsity: 0.9 },
] as const;

/**
 * The row variants, in table order.
 *
 * @example
 * ```ts
 * PRUNE_OFA_VARIANTS[3]; // '85+qat'
 * ```
 */
export const PRUNE_OFA_VARIANTS = ['dense', '85', '90', '85+qat', '90+qat'] as const;

/** One of {@link PRUNE_OFA_VARIANTS}. */
export type PruneOfaVariant = (typeof PRUNE_OFA_VARIANTS)[number];

/**
 * The `full` scale's settings for Hugging Face checkpoints and GLUE/SQuAD on a GPU machine: the
 * paper's sequence length and batch size, fine-tuning for `epochs` over the given data (in steps,
 * computed from the training set size), sparse pre-training on `--corpus` (one passage per line)
 * or the embedded corpus.
 *
 * @example
 * ```ts
 * PRUNE_OFA_FULL_SCALE.steps.sparsePretrain; // 100000
 * ```
 */
export const PRUNE_OFA_FULL_SCALE: StageSizes & { tasks: string[]; epochs: NonNullable<StageSizes['epochs']> } = {
  tasks: [],
  corpusTexts: 1_000_000,
  vocabSize: 30522,
  maxLength: 128,
  batchSize: 32,
  taskExamples: { train: Number.MAX_SAFE_INTEGER, validation: 2000, test: Number.MAX_SAFE_INTEGER },
  steps: { teacherPretrain: 0, teacherFinetune: 0, sparsePretrain: 100_000, transfer: 0, qat: 0 },
  epochs: { teacherFinetune: 3, transfer: 3, qat: 2 },
  learningRate: { pretrain: 1e-4, finetune: 5e-5, qat: 1e-5 },
  checkpointEvery: 1000,
};
