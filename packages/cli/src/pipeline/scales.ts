/**
 * The one scale table of pofa: every named size of a run, for `pofa compress --scale` and
 * `pofa reproduce --scale` alike. A scale holds the data sizes, the steps and learning rates of
 * each Prune OFA stage, the shape of the BERT-Base-like model `compress` trains, and the rows
 * (models) and columns (tasks) of `reproduce`'s table. The paper's settings that do not scale
 * (distillation, pruning schedule fractions, QAT scheme) are in `PRUNE_OFA_RECIPE`.
 */

/** The number of examples a run takes from each split (a seeded sample). */
export interface SplitLimits {
  train: number;
  validation: number;
  test: number;
}

/**
 * The sizes every stage of a run shares (and a change of which empties a reproduce work folder):
 * the masked-LM corpus texts, the vocabulary size, the sequence length, the batch size and the
 * task examples per split.
 */
export interface RunSizes {
  corpusTexts: number;
  vocabSize: number;
  maxLength: number;
  batchSize: number;
  taskExamples: SplitLimits;
}

/** The sizes of the stages of a run: data, sequence length, batch, steps and learning rates. */
export interface StageSizes extends RunSizes {
  /**
   * Optimizer steps per stage. With `epochs`, a task stage's count is the cap on its epochs (0: no
   * cap, as at the `full` scale); see {@link taskStageSteps}.
   */
  steps: { teacherPretrain: number; teacherFinetune: number; sparsePretrain: number; transfer: number; quantize: number };
  learningRate: { pretrain: number; finetune: number; quantize: number };
  /** Passes over the task's training examples of the task stages (their steps then follow the data's size). */
  epochs?: { teacherFinetune: number; transfer: number; quantize: number };
  /** Optimizer steps between two checkpoints of a stage (what an interruption can lose at most). */
  checkpointEvery: number;
}

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

/**
 * A named scale: its stage sizes, the shape of the model `pofa compress` trains (the dense teacher,
 * and the student initialised from it: the BERT-Base analogue, FFN 4× hidden), and the rows and
 * tasks of `pofa reproduce`'s table.
 */
export interface Scale extends StageSizes {
  layers: number;
  hidden: number;
  heads: number;
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

/** The BERT-Base analogue alone: the row of a scale made for `pofa compress`. */
const baseOnly = (layers: number, hidden: number, heads: number): PaperModelSpec[] => [{ name: 'bert-base', paper: 'BERT-Base', layers, hidden, heads }];

/**
 * Every built-in scale (the `full` scale, for Hugging Face checkpoints, is {@link FULL_SCALE}):
 *
 * | scale | model (compress) | reproduce's rows | tasks | data | made for |
 * | --- | --- | --- | --- | --- | --- |
 * | `test` | 1 × 16 | BERT-Base | spam | 120 corpus texts, sequences of 24 | tests (seconds) |
 * | `smoke` | 2 × 16 | BERT-Base, BERT-Large (3 × 24), DistilBERT (1 × 16) | sotu-party | 200 texts, sequences of 16 | tests (seconds) |
 * | `tiny` | 2 × 64 | BERT-Base, DistilBERT (1 × 64) | spam | 1,500 texts, sequences of 32 | CI (under 5 minutes) |
 * | `default` | 2 × 64 | BERT-Base | spam | 3,000 texts, sequences of 64; fine-tuning and transfer 5 epochs | `pofa compress` (minutes) |
 * | `mini` | 4 × 256 (bert-mini) | BERT-Base, DistilBERT (2 × 256) | the four embedded | 20,000 texts, sequences of 64 | hours on 2 cores |
 *
 * No BERT-Large analogue at `tiny` (a 4 × 80 model does not learn spam in the steps five minutes
 * allow: its dense F1 stayed 0) or `mini` (an 8-layer, 320-wide model alone would take most of a
 * day on 2 cores).
 *
 * @example
 * ```ts
 * SCALES.tiny.models.map((model) => `${model.layers}x${model.hidden}`); // ['2x64', '1x64']
 * SCALES.default.steps.sparsePretrain; // 250
 * ```
 */
export const SCALES = {
  test: {
    layers: 1, hidden: 16, heads: 2, models: baseOnly(1, 16, 2), tasks: ['spam'],
    corpusTexts: 120, vocabSize: 300, maxLength: 24, batchSize: 8, taskExamples: { train: 96, validation: 32, test: 32 },
    steps: { teacherPretrain: 6, teacherFinetune: 6, sparsePretrain: 12, transfer: 6, quantize: 4 },
    learningRate: { pretrain: 2e-3, finetune: 1e-3, quantize: 5e-4 },
    checkpointEvery: 3,
  },
  smoke: {
    layers: 2, hidden: 16, heads: 2, models: modelsOf({ layers: 2, hidden: 16 }, { layers: 3, hidden: 24 }, { layers: 1, hidden: 16 }, { base: 2, large: 2 }), tasks: ['sotu-party'],
    corpusTexts: 200, vocabSize: 300, maxLength: 16, batchSize: 8, taskExamples: { train: 96, validation: 32, test: 64 },
    steps: { teacherPretrain: 6, teacherFinetune: 6, sparsePretrain: 8, transfer: 6, quantize: 4 },
    learningRate: { pretrain: 2e-3, finetune: 2e-3, quantize: 5e-4 },
    checkpointEvery: 3,
  },
  tiny: {
    layers: 2, hidden: 64, heads: 2, models: modelsOf({ layers: 2, hidden: 64 }, { layers: 4, hidden: 80 }, { layers: 1, hidden: 64 }, { base: 2, large: 2 }).filter((model) => model.name !== 'bert-large'), tasks: ['spam'],
    corpusTexts: 1500, vocabSize: 800, maxLength: 32, batchSize: 16, taskExamples: { train: 1200, validation: 100, test: 400 },
    steps: { teacherPretrain: 50, teacherFinetune: 100, sparsePretrain: 30, transfer: 120, quantize: 20 },
    learningRate: { pretrain: 3e-3, finetune: 3e-3, quantize: 5e-4 },
    checkpointEvery: 50,
  },
  default: {
    layers: 2, hidden: 64, heads: 2, models: baseOnly(2, 64, 2), tasks: ['spam'],
    corpusTexts: 3000, vocabSize: 2000, maxLength: 64, batchSize: 16, taskExamples: { train: 4000, validation: 300, test: 565 },
    steps: { teacherPretrain: 250, teacherFinetune: 2000, sparsePretrain: 250, transfer: 2000, quantize: 200 },
    epochs: { teacherFinetune: 5, transfer: 5, quantize: 0.5 },
    learningRate: { pretrain: 2e-3, finetune: 2e-3, quantize: 5e-4 },
    checkpointEvery: 50,
  },
  mini: {
    layers: 4, hidden: 256, heads: 4, models: modelsOf({ layers: 4, hidden: 256 }, { layers: 8, hidden: 320 }, { layers: 2, hidden: 256 }, { base: 4, large: 5 }).filter((model) => model.name !== 'bert-large'), tasks: ['spam', 'sotu-party', 'sotu-pair', 'sotu-year'],
    corpusTexts: 20000, vocabSize: 3000, maxLength: 64, batchSize: 16, taskExamples: { train: 4000, validation: 400, test: 1000 },
    steps: { teacherPretrain: 400, teacherFinetune: 120, sparsePretrain: 300, transfer: 120, quantize: 40 },
    learningRate: { pretrain: 1e-3, finetune: 1e-3, quantize: 2e-4 },
    checkpointEvery: 20,
  },
} satisfies Record<string, Scale>;

/** A name of {@link SCALES}. */
export type ScaleName = keyof typeof SCALES;

/** The scale names, for option validation. */
export const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];

/**
 * The `full` scale's settings for Hugging Face checkpoints and GLUE/SQuAD on a GPU machine: the
 * paper's sequence length and batch size, fine-tuning for `epochs` over the given data (in steps,
 * computed from the training set size), sparse pre-training on `--corpus` (one passage per line)
 * or the embedded corpus. Its models are the `--teacher` checkpoints, its tasks the GLUE folders.
 *
 * @example
 * ```ts
 * FULL_SCALE.steps.sparsePretrain; // 100000
 * ```
 */
export const FULL_SCALE: StageSizes & { tasks: string[]; epochs: NonNullable<StageSizes['epochs']> } = {
  tasks: [],
  corpusTexts: 1_000_000,
  vocabSize: 30522,
  maxLength: 128,
  batchSize: 32,
  taskExamples: { train: Number.MAX_SAFE_INTEGER, validation: 2000, test: Number.MAX_SAFE_INTEGER },
  steps: { teacherPretrain: 0, teacherFinetune: 0, sparsePretrain: 100_000, transfer: 0, quantize: 0 },
  epochs: { teacherFinetune: 3, transfer: 3, quantize: 2 },
  learningRate: { pretrain: 1e-4, finetune: 5e-5, quantize: 1e-5 },
  checkpointEvery: 1000,
};

/**
 * The data sizes of a scale (what every stage of a run shares).
 *
 * @example
 * ```ts
 * runSizesOf(SCALES.tiny).maxLength; // 32
 * ```
 */
export function runSizesOf(scale: RunSizes): RunSizes {
  const { corpusTexts, vocabSize, maxLength, batchSize, taskExamples } = scale;
  return { corpusTexts, vocabSize, maxLength, batchSize, taskExamples };
}

/** The stages of a run that train on the task. */
export type TaskStage = 'teacherFinetune' | 'transfer' | 'quantize';

/**
 * The optimizer steps of a task stage of `pofa compress` on `trainExamples` training examples (or
 * SQuAD windows): with the scale's `epochs`, that many passes over them in whole batches, capped
 * by the stage's `steps` when that is above 0; without, the stage's `steps`.
 *
 * @example
 * ```ts
 * const scale = { batchSize: 16, steps: { teacherFinetune: 1000, transfer: 1000, quantize: 200 }, epochs: { transfer: 3 } };
 * taskStageSteps(scale, 'transfer', 3200); // 600
 * taskStageSteps(scale, 'transfer', 9000); // 1000
 * taskStageSteps(scale, 'quantize', 3200); // 200 (no epochs for it: its steps)
 * taskStageSteps(SCALES.tiny, 'transfer', 1200); // 120
 * ```
 */
export function taskStageSteps(scale: { batchSize: number; steps: Pick<StageSizes['steps'], TaskStage>; epochs?: Partial<Record<TaskStage, number>> }, stage: TaskStage, trainExamples: number): number {
  const cap = scale.steps[stage];
  const epochs = scale.epochs?.[stage];
  if (epochs === undefined) return Math.max(1, cap);
  const byEpochs = Math.max(1, Math.ceil((epochs * trainExamples) / scale.batchSize));
  return cap > 0 ? Math.min(cap, byEpochs) : byEpochs;
}
