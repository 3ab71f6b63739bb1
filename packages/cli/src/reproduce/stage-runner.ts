import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createModifier, tf, writeFileAtomic, type Modifier, type Module, type ProgressStream, type TrainingData, type TrainingLoss } from '@pofa/core';
import { trainStage } from '../pipeline/stage-training';
import type { Say } from './run-files';
import { identityHash, openStageFolder } from './stage-identity';

/** How the stages of a reproduce run train: progress bars, the stop signal, checkpoint spacing. */
export interface TrainingSettings {
  /** Progress bars of each stage (stderr in the CLI); false for none. */
  progress: ProgressStream | false;
  /** Aborted on Ctrl-C: the running stage stops at its next step, its last checkpoint intact. */
  signal?: AbortSignal;
  /** Optimizer steps between two checkpoints of a stage (what an interruption can lose at most). */
  checkpointEvery: number;
}

/**
 * What a finished stage recorded in its `done.json`, plus the backend it ran on, the seconds it
 * took and the hash of its identity (for the identities of the stages that read its output).
 */
export type StageRecord<R> = R & { backend?: string; seconds?: number; identity: string };

/**
 * Runs `work(dir)` once per folder and `identity`: a folder whose `done.json` was written for the
 * same identity is finished, and its record is returned without running again, so a stopped run
 * continues where it stopped (and each finished cell of a table survives an interruption).
 * `identity` is any JSON value describing what determines the stage's output: its kind, its own
 * sizes, steps and learning rates, and the `identity` of each stage record whose output it reads
 * (so a change reruns this stage and, through their identities, every stage after it). A folder
 * made for another identity — finished, or interrupted with its checkpoints — is emptied first
 * and `say` is told ({@link openStageFolder}). The record gets the tfjs backend the stage ran on,
 * its seconds and its identity hash; the stage's Trainer checkpoints are deleted once it is done.
 *
 * @example
 * ```ts
 * const dense = await onceIn('work/bert-base/pretrained', async (dir) => ({ finalLoss: 1.2 }), { stage: 'pretrain', steps: 50 });
 * await onceIn('work/bert-base/sparse-90', async (dir) => ({ finalLoss: 2.5 }), { stage: 'sparse', sparsity: 0.9, dense: dense.identity });
 * ```
 */
export async function onceIn<R extends object>(dir: string, work: (dir: string) => Promise<R>, identity: unknown, say: Say = () => undefined): Promise<StageRecord<R>> {
  const done = join(dir, 'done.json');
  const hash = identityHash(identity);
  const finished = await access(done).then(() => true, () => false);
  if (finished) {
    try {
      const record = JSON.parse(await readFile(done, 'utf8')) as StageRecord<R>;
      if (record.identity === hash) return record;
    } catch {
      // An unreadable record (written atomically, so only by hand): the stage runs again.
    }
    // A record of other settings must not outlive the run that replaces it, even one stopped midway.
    await rm(done, { force: true });
  }
  await openStageFolder(dir, identity, say);
  const started = performance.now();
  const result = await work(dir);
  const record: StageRecord<R> = { ...result, backend: tf.getBackend(), seconds: (performance.now() - started) / 1000, identity: hash };
  await writeFileAtomic(done, `${JSON.stringify(record, null, 2)}\n`);
  await rm(join(dir, 'checkpoints'), { recursive: true, force: true });
  return record;
}

/**
 * A modifier that lets the event loop run between steps, so a long synchronous training run
 * does not starve signals (Ctrl-C), timers or a test runner's messages.
 *
 * @example
 * ```ts
 * createTrainer({ ..., modifiers: [yieldToEventLoop()] });
 * ```
 */
export function yieldToEventLoop(): Modifier {
  return createModifier({ kind: 'reproduce/yield', onUpdate: () => new Promise<void>((resolve) => setImmediate(resolve)) });
}

/**
 * Trains one stage of a reproduce run with the CLI's `trainStage` (AdamW, 10% warmup then
 * linear decay, clipping at 1, seeded): checkpoints under `<dir>/checkpoints` every
 * `training.checkpointEvery` steps, resumed when the stage was interrupted, a stop at the next
 * step on Ctrl-C, and the event loop yielded each step.
 *
 * @example
 * ```ts
 * await trainReproduceStage({ name: 'sparse transfer', model, data, loss, steps: 120, learningRate: 3e-3, batchSize: 16, seed: 0, dir, training });
 * ```
 */
export async function trainReproduceStage<B>(options: {
  name: string;
  model: Module;
  data: TrainingData<B>;
  loss: TrainingLoss<Module, B>;
  steps: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  modifiers?: Modifier[];
  dir: string;
  training: TrainingSettings;
}): Promise<{ finalLoss: number; resumedFrom?: number }> {
  const { training } = options;
  return trainStage({
    name: options.name, model: options.model, data: options.data, loss: options.loss,
    steps: options.steps, learningRate: options.learningRate, batchSize: options.batchSize,
    modifiers: [...(options.modifiers ?? []), yieldToEventLoop()],
    environment: { dir: options.dir, resume: true, seed: options.seed, progress: training.progress, checkpointEvery: training.checkpointEvery, ...(training.signal === undefined ? {} : { signal: training.signal }) },
  });
}
