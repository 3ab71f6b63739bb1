import { CheckpointError } from '../errors/checkpoint-error';
import { ConfigError } from '../errors/config-error';
import { TrainingError } from '../errors/training-error';
import type { ModifierContext } from '../lifecycle/modifier';
import type { Module } from '../nn/module';
import { createRandom, type Random } from '../random';
import { tf } from '../tensor/tf';
import { createAdamW, type AdamW } from './adamw';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { runModule } from './run-module';
import { isCompleteCheckpoint, listCheckpoints } from './checkpoint-files';
import { globalNormClipScale } from './clip-gradients';
import { computeGradients, trainableParameters } from './compute-gradients';
import { createDataCursor } from './data-cursor';
import { effectiveLearningRate, toSchedule } from './lr-schedule';
import { createProgress, type ProgressReporter } from './progress';
import { createTrainingLog } from './training-log';
import { parseTrainerSettings, type EvaluationRecord, type StepRecord, type TrainerOptions, type TrainSummary } from './trainer-options';

/**
 * A configured training run; see {@link createTrainer}.
 *
 * @example
 * ```ts
 * const trainer: Trainer = createTrainer(options);
 * await trainer.resume('runs/a/checkpoints');
 * ```
 */
export interface Trainer {
  /** Trains up to `maxSteps` (resuming first when `resume: true` and a checkpoint exists). */
  train(): Promise<TrainSummary>;
  /**
   * Loads a checkpoint, then trains up to `maxSteps`. `directory` is a `checkpoint-<step>/`
   * directory or a folder of them (the newest complete one is taken); default `checkpoint.dir`.
   */
  resume(directory?: string): Promise<TrainSummary>;
  /** Optimizer steps taken so far. */
  readonly step: number;
  /** The run's seeded generator (dropout, modifiers). */
  readonly random: Random;
  readonly optimizer: AdamW;
}

function requireOption(condition: boolean, name: string, expected: string): void {
  if (!condition) throw new ConfigError(`Invalid Trainer option ${name}`, { expected, received: 'something else' });
}

/** Resolves after the event loop has run once (timers, I/O callbacks, signal handlers). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * Creates a Trainer: seeded shuffling, micro-batches with gradient accumulation, modifiers,
 * global-norm clipping, AdamW with a learning-rate schedule, JSONL logs, evaluations, and
 * atomic checkpoints from which a killed run resumes to bit-identical weights.
 *
 * @example
 * ```ts
 * const trainer = createTrainer({
 *   model, data, maxSteps: 1000, batchSize: 32, seed: 1,
 *   loss: (model, batch, context) => ({ loss: crossEntropy(model.forward(batch.x, context), batch.y) }),
 *   schedule: createLinearWarmupSchedule({ learningRate: 5e-5, warmupSteps: 100, totalSteps: 1000 }),
 *   checkpoint: { dir: 'runs/a/checkpoints', every: 100, keep: 2 }, log: { file: 'runs/a/log.jsonl' },
 *   resume: true,
 * });
 * const { finalLoss } = await trainer.train();
 * ```
 */
export function createTrainer<M extends Module, B>(options: TrainerOptions<M, B>): Trainer {
  const settings = parseTrainerSettings(options as unknown as Record<string, unknown>);
  requireOption(typeof options.model?.namedParameters === 'function', 'model', 'a Module');
  requireOption(typeof options.data?.batch === 'function' && Number.isInteger(options.data?.size), 'data', '{ size: integer, batch(indices) }');
  requireOption(typeof options.loss === 'function', 'loss', 'a function (model, batch, context) => { loss }');
  const { model, data, evaluate } = options;
  const optimizer = options.optimizer ?? createAdamW();
  const schedule = toSchedule(options.schedule);
  const modifiers = options.modifiers ?? [];
  const seeds = createRandom(settings.seed);
  const dataRandom = createRandom(seeds.seed());
  const random = createRandom(seeds.seed());
  const cursor = createDataCursor(data.size, settings.batchSize, dataRandom);
  const log = createTrainingLog(settings.log?.file);
  const runSettings = { seed: settings.seed, batchSize: settings.batchSize, gradientAccumulation: settings.gradientAccumulation, dataSize: data.size };
  let step = 0;
  let initialized = false;
  let running = false;
  // The model plus the modules modifiers train with it; known once modifiers are initialized.
  let trained: Module = model;

  const context = (): ModifierContext => ({
    model,
    step,
    totalSteps: settings.maxSteps,
    random,
    log: (record) => log.write({ step, ...record }),
  });

  async function restore(directory: string): Promise<void> {
    const saved = await loadCheckpoint(directory, { model: trained, optimizer, modifiers }, runSettings);
    random.setState(saved.random);
    cursor.loadState(saved.data);
    step = saved.step;
    log.write({ step, event: 'resume', checkpoint: directory });
  }

  async function findCheckpoint(directory: string, required: boolean): Promise<string | undefined> {
    if (await isCompleteCheckpoint(directory)) return directory;
    const newest = (await listCheckpoints(directory)).at(-1);
    if (newest === undefined && required) {
      throw new CheckpointError(`No complete checkpoint in ${directory}`, {
        expected: 'a checkpoint-<step>/ directory holding model, optimizer, transforms and modifiers safetensors plus trainer.json',
        received: 'none (temporary and incomplete directories are ignored)',
        hint: 'Check the path, or call train() to start from scratch',
      });
    }
    return newest?.path;
  }

  async function evaluateNow(records: EvaluationRecord[]): Promise<void> {
    if (evaluate === undefined) return;
    model.eval();
    try {
      const result = await evaluate(model, { step });
      records.push({ step, eval: result });
      log.write({ step, eval: result });
    } finally {
      model.train();
    }
  }

  async function trainStep(parameters: ReturnType<typeof trainableParameters>): Promise<StepRecord> {
    const stepContext = context();
    for (const modifier of modifiers) await modifier.update(stepContext);
    const lr = effectiveLearningRate(schedule, modifiers, stepContext);
    const { gradients, loss } = computeGradients({
      model, data, loss: options.loss, cursor, parameters, modifiers, microBatches: settings.gradientAccumulation, context: stepContext,
    });
    try {
      // Clipping scales the gradients inside the optimizer's update (no scaled copies).
      const result = globalNormClipScale(gradients, settings.clipNorm ?? undefined);
      if (!Number.isFinite(result.norm)) {
        throw new TrainingError(`The gradient norm is ${result.norm} at step ${step + 1}`, {
          expected: 'finite gradients',
          received: `a global norm of ${result.norm} (loss ${loss})`,
          hint: 'Lower the learning rate or check the model for overflow; the weights were not updated and the last checkpoint is intact',
        });
      }
      optimizer.step(parameters, gradients, lr, result.scale);
      step += 1;
      return { step, loss, lr, gradNorm: result.norm, epoch: cursor.state().epoch };
    } finally {
      tf.dispose(Object.values(gradients));
    }
  }

  async function run(resumeFrom: string | undefined): Promise<TrainSummary> {
    if (running) throw new TrainingError('This Trainer is already running', { hint: 'Await the first train() or resume() before calling another' });
    running = true;
    const wasTraining = model.training;
    const history: StepRecord[] = [];
    const evaluations: EvaluationRecord[] = [];
    let progress: ProgressReporter | undefined;
    let resumedFrom: number | undefined;
    try {
      if (!initialized) {
        const initialContext = context();
        for (const modifier of modifiers) await modifier.initialize(initialContext);
        trained = runModule(model, modifiers);
        initialized = true;
      }
      if (resumeFrom !== undefined) {
        await restore(resumeFrom);
        resumedFrom = step;
      }
      const parameters = trainableParameters(trained);
      if (parameters.length === 0) {
        throw new TrainingError('The model has no trainable parameters', { hint: 'Set trainable: true on the parameters to train' });
      }
      if (settings.progress !== false) {
        const progressOptions = settings.progress === true ? {} : settings.progress;
        progress = createProgress({ total: settings.maxSteps, stream: progressOptions.stream ?? process.stderr, intervalMs: progressOptions.intervalMs });
      }
      model.train();
      while (step < settings.maxSteps) {
        // Let the event loop run between steps: a step's awaits are only microtasks, so without this
        // no timer, I/O callback or signal handler (Ctrl-C, SIGTERM) would run until training ended.
        await yieldToEventLoop();
        const record = await trainStep(parameters);
        history.push(record);
        log.write({ ...record });
        progress?.update(record.step, record);
        const last = step === settings.maxSteps;
        if (evaluate !== undefined && (last || (settings.evalEvery !== undefined && step % settings.evalEvery === 0))) await evaluateNow(evaluations);
        if (settings.checkpoint !== undefined && (last || step % settings.checkpoint.every === 0)) {
          await saveCheckpoint(settings.checkpoint.dir, settings.checkpoint.keep, { model: trained, optimizer, modifiers }, {
            step,
            settings: runSettings,
            data: cursor.state(),
            random: random.state(),
            schedule: { kind: schedule.kind, step },
          });
        }
      }
      const finalContext = context();
      for (const modifier of modifiers) await modifier.finalize(finalContext);
      return { steps: step, finalLoss: history.at(-1)?.loss ?? Number.NaN, history, evaluations, ...(resumedFrom === undefined ? {} : { resumedFrom }) };
    } finally {
      progress?.done();
      model.train(wasTraining);
      running = false;
    }
  }

  return {
    get step() {
      return step;
    },
    random,
    optimizer,
    async train() {
      const found = settings.resume && settings.checkpoint !== undefined ? await findCheckpoint(settings.checkpoint.dir, false) : undefined;
      return run(found);
    },
    async resume(directory) {
      const root = directory ?? settings.checkpoint?.dir;
      if (root === undefined) {
        throw new ConfigError('resume() needs a directory', { expected: 'a directory argument or the checkpoint.dir option', received: 'neither' });
      }
      return run(await findCheckpoint(root, true));
    },
  };
}
