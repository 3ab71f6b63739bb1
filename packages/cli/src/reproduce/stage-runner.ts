import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createModifier, tf, writeFileAtomic, type Modifier, type Module, type ProgressStream, type TrainingData, type TrainingLoss } from '@pofa/core';
import { trainStage } from '../pipeline/stage-training';

/** How the stages of a reproduce run train: progress bars, the stop signal, checkpoint spacing. */
export interface TrainingSettings {
  /** Progress bars of each stage (stderr in the CLI); false for none. */
  progress: ProgressStream | false;
  /** Aborted on Ctrl-C: the running stage stops at its next step, its last checkpoint intact. */
  signal?: AbortSignal;
  /** Optimizer steps between two checkpoints of a stage (what an interruption can lose at most). */
  checkpointEvery: number;
}

/** What a finished stage recorded in its `done.json`, plus the backend it ran on and the seconds it took. */
export type StageRecord<R> = R & { backend?: string; seconds?: number };

/**
 * Runs `work(dir)` once per folder: a folder whose `done.json` exists is finished, and its
 * record is returned without running again, so a stopped run continues where it stopped (and
 * each finished cell of a table survives an interruption). The record gets the tfjs backend the
 * stage ran on and its seconds; the stage's Trainer checkpoints are deleted once it is done.
 *
 * @example
 * ```ts
 * const record = await onceIn('work/bert-base/pretrained', async (dir) => ({ finalLoss: 1.2 }));
 * ```
 */
export async function onceIn<R extends object>(dir: string, work: (dir: string) => Promise<R>): Promise<StageRecord<R>> {
  const done = join(dir, 'done.json');
  const finished = await access(done).then(() => true, () => false);
  if (finished) {
    try {
      return JSON.parse(await readFile(done, 'utf8')) as StageRecord<R>;
    } catch {
      // An unreadable record (written atomically, so only by hand): the stage runs again.
    }
  }
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  const result = await work(dir);
  const record = { ...result, backend: tf.getBackend(), seconds: (performance.now() - started) / 1000 };
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
