import { runSizesOf, SCALES, type RunSizes } from '../pipeline/scales';

/** The sizes of the OFA width benchmark at a scale. */
export interface OfaScale extends RunSizes {
  /** The embedded task of the teacher and the supernet. */
  task: string;
  layers: number;
  hidden: number;
  heads: number;
  steps: { teacherPretrain: number; teacherFinetune: number; supernet: number };
  learningRate: { pretrain: number; finetune: number; supernet: number };
  /** Batches of training examples the importance of heads and neurons is computed on. */
  calibrationBatches: number;
  /** Timed forward passes per width (after 3 warm-up passes). */
  latencyRuns: number;
  /** Optimizer steps between two checkpoints of a stage (what an interruption can lose at most). */
  checkpointEvery: number;
}

/**
 * The scales of the OFA benchmark: a BERT of `layers` × `hidden` with `heads` heads (FFN 4×
 * hidden) is pre-trained with masked LM on the embedded corpus, fine-tuned on `task`, reordered by
 * importance and trained as a width supernet (widths 1, 0.833, 0.667, 0.5, as PaddleSlim's
 * `width_mult_list`), then each width is exported and measured. There is no `full` scale yet.
 *
 * @example
 * ```ts
 * OFA_SCALES.tiny.task; // 'spam'
 * ```
 */
export const OFA_SCALES: Record<'smoke' | 'tiny' | 'mini', OfaScale> = {
  smoke: {
    task: 'sotu-party', layers: 1, hidden: 16, heads: 4, ...runSizesOf(SCALES.smoke),
    steps: { teacherPretrain: 4, teacherFinetune: 6, supernet: 4 },
    learningRate: { pretrain: 2e-3, finetune: 2e-3, supernet: 1e-3 },
    calibrationBatches: 2, latencyRuns: 3, checkpointEvery: 3,
  },
  tiny: {
    task: 'spam', layers: 2, hidden: 64, heads: 8, ...runSizesOf(SCALES.tiny),
    steps: { teacherPretrain: 50, teacherFinetune: 120, supernet: 40 },
    learningRate: { pretrain: 3e-3, finetune: 2e-3, supernet: 1e-3 },
    calibrationBatches: 8, latencyRuns: 20, checkpointEvery: 50,
  },
  mini: {
    task: 'spam', layers: 4, hidden: 256, heads: 8, ...runSizesOf(SCALES.mini),
    steps: { teacherPretrain: 400, teacherFinetune: 200, supernet: 200 },
    learningRate: { pretrain: 1e-3, finetune: 1e-3, supernet: 5e-4 },
    calibrationBatches: 16, latencyRuns: 20, checkpointEvery: 20,
  },
};
