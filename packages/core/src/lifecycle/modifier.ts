import type { Module } from '../nn/module';
import type { Random } from '../random';
import type { tf } from '../tensor/tf';

/** What a modifier sees of the training run at each call. */
export interface ModifierContext {
  /** The model being trained. */
  readonly model: Module;
  /** Optimizer steps taken so far (0 before the first). */
  readonly step: number;
  /** The run's total number of optimizer steps, when known. */
  readonly totalSteps?: number;
  /** The run's seeded generator. */
  readonly random: Random;
  /** Writes one JSON record to the run's log. */
  log(record: Record<string, unknown>): void;
}

/** What a modifier sees before a micro-batch's gradient tape opens ({@link Modifier.prepareLoss}). */
export interface BatchContext extends ModifierContext {
  /** The batch the loss is computed on. */
  readonly batch: unknown;
}

/** What a modifier sees when it may add to the loss (inside the gradient tape). */
export interface LossContext extends BatchContext {
  /** What this modifier's `prepareLoss` returned for this batch (undefined without one). */
  readonly prepared?: unknown;
  /** What the training step's forward function returned besides the loss (model outputs). */
  readonly outputs: unknown;
}

/** JSON-serialisable and tensor state a modifier keeps across a checkpoint. */
export interface ModifierState {
  json?: unknown;
  tensors?: Record<string, tf.Tensor>;
}

/**
 * A plugin that changes a training run over time: pruning, quantization-aware training,
 * distillation. The Trainer calls `initialize` once, `update` before every optimizer step,
 * `modifyLoss` inside the gradient tape, and `finalize` once at the end. Most plugins get
 * these from `createModifier`, which gates them by `start`, `end` and `every`.
 */
export interface Modifier {
  readonly specificationVersion: 'v1';
  /** A namespaced name such as `prune/gradual-magnitude`. */
  readonly kind: string;
  initialize(context: ModifierContext): void | Promise<void>;
  update(context: ModifierContext): void | Promise<void>;
  /**
   * Computes, outside the gradient tape, what `modifyLoss` needs from the batch alone (a
   * teacher's forward pass): ops run here are not recorded for backpropagation, so their
   * activations are freed as soon as they are used. Tensors returned stay alive until the
   * micro-batch's gradients are computed; `modifyLoss` receives the value as `context.prepared`.
   */
  prepareLoss?(context: BatchContext): unknown;
  /** Returns the loss to optimise (the incoming one, or a new one built from it). */
  modifyLoss?(loss: tf.Scalar, context: LossContext): tf.Scalar;
  /** A factor on the scheduled learning rate at this step (learning-rate rewind); 1 by default. */
  learningRateFactor?(context: ModifierContext): number;
  finalize(context: ModifierContext): void | Promise<void>;
  /**
   * Modules the modifier trains along with the model, such as distillation projections.
   * The Trainer optimizes and checkpoints their parameters as `modifiers.<index>.<name>.…`.
   */
  modules?(): Record<string, Module>;
  state?(): ModifierState;
  loadState?(state: ModifierState): void;
}
