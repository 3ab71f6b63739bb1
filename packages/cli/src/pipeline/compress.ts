import { join, resolve } from 'node:path';
import { ConfigError, parseOptions, writeFileAtomic, type ProgressStream } from '@pofa/core';
import { loadVocab, saveVocab, type EncoderModel } from '@pofa/models';
import { describeRunTask, loadAnyRunTask } from '@pofa/tasks';
import { openRunDirectory, resolveCacheDir } from '../run-folder';
import { compressOptionsSchema, recipeModifiers, type CompressOptions, type CompressSettings } from './compress-options';
import { layoutOf } from './bundles';
import { loadModel, loadTeacherModel, resolveModelSource } from './models';
import { loadQuantizedStage, quantizationAwareTraining, type QatResult } from './quantize';
import { measureRows } from './report-rows';
import { baselineRow, writeReportJson, type ReportRow } from './report-table';
import { SCALES, taskStageSteps } from './scales';
import { createStageTimer, type StageTiming } from './stage-timer';
import { defaultPruningModifiers, effectiveSparsity, PRUNE_OFA_RECIPE } from './prune-ofa-recipe';
import { sparsePretrain, sparseTransfer } from './sparse';
import { evaluationInterval, keptStep, type KeptStep } from './keep-best';
import type { StageEnvironment } from './stage-training';
import { prepareTaskPipeline, requireTrainingExamples, taskTexts } from './task-pipeline';
import { domainTask, pretrainCorpus } from './pretrain-corpus';
import { cachedFinetunedTeacher, cachedPretrainedTeacher, cachedVocabulary, corpusTexts, type TeacherContext } from './teacher';
import { prepareEncoder } from './text-encoder';

/** Where a compress run reports: progress bars, stage lines, and the stop signal. */
export interface CompressIo {
  /** Progress bars and stage lines (stderr in the CLI); false for silence. */
  progress: ProgressStream | false;
  env: Record<string, string | undefined>;
  cwd: string;
  signal?: AbortSignal;
}

export type { StageTiming } from './stage-timer';

/** What {@link runCompress} returns. */
export interface CompressResult {
  rows: ReportRow[];
  timings: StageTiming[];
  /** Measured sparsity of the encoder Linear weights of the sparse model (absent when stopped before the table). */
  sparsity?: number;
  /** Measured sparsity of the QAT model's effective int8 weights (absent with `int8: false`): never below `sparsity`, since QAT keeps every pruned weight at zero. */
  sparsityAfterQat?: number;
  /** How the int8 row was made, in words. */
  int8Method?: string;
  /** The kernels the bundles ran on. */
  kernels?: string;
  outDir: string;
  /** Span QA: the folder of each stage's answers (`<stage>/predictions.json`, official SQuAD format) and `metrics.json` (EM and F1). */
  predictionsDir?: string;
  /** The stage the run stopped after (`until`), leaving the run open; absent for a complete run. */
  stoppedAfter?: 'pretrain' | 'prune' | 'finetune';
  /** The step of sparse transfer whose weights were kept (the best on the validation split), when the task has one. */
  kept?: KeptStep;
  /** The step of teacher fine-tuning whose weights are the dense row (the best on the validation split), when the task has one and the teacher was fine-tuned here. */
  teacherKept?: KeptStep;
}

/**
 * Runs the Prune OFA pipeline end to end: corpus and task, WordPiece vocabulary and dense teacher
 * pre-training (cached; for a user's `.tsv` / `.jsonl` task on the embedded corpus plus the task's
 * training texts, see `pretrainCorpus`), teacher fine-tuning on the task keeping its best
 * validation step (cached), sparse pre-training with
 * distillation and gradual magnitude pruning, sparse transfer with pattern lock and task
 * distillation, quantization-aware training to int8 (pattern lock and distillation still on), then
 * `.pofa` bundles of the three models and the table rows (dense, sparse, sparse-int8): the test
 * metric of the tfjs model and of the bundle runtime, the sparsity, the encoder sizes and the
 * latency of the bundles on the sparse-kernels runtime. Each stage's result is saved in `out`
 * (`models.json` names the models, `report.json` holds the rows), so `resume` continues an
 * interrupted run where it stopped. The task stages train for the scale's epochs over the
 * training set where it has them (`taskStageSteps`: 5 at `default`, capped by the steps).
 *
 * The task is a classification or regression task, or SQuAD v1.1 (`task: 'squad'`, `data` the
 * folder of `train-v1.1.json` and `dev-v1.1.json`): then the teacher and the student get a span
 * head, train on windows of the scale's sequence length (see `spanWindows`), the student distils
 * the teacher's start and end distributions, the rows hold the official F1 (EM beside it in
 * `predictions/<stage>/metrics.json`) and each stage's answers go to
 * `predictions/<stage>/predictions.json`.
 *
 * @example
 * ```ts
 * const { rows, timings } = await runCompress({ scale: 'test', out: 'tmp/run' }, { progress: process.stderr, env: process.env, cwd: process.cwd() });
 * ```
 */
export async function runCompress(options: CompressOptions, io: CompressIo): Promise<CompressResult> {
  const settings: CompressSettings = parseOptions(compressOptionsSchema, options, 'pofa compress');
  const scale = SCALES[settings.scale];
  const outDir = resolve(io.cwd, settings.out);
  const { say, timed, timings } = createStageTimer(io.progress);

  // Everything a user can get wrong is checked before any training.
  const source = await resolveModelSource(settings.model, io.cwd);
  const pruning = settings.recipe === undefined ? undefined : await recipeModifiers(settings.recipe, io.cwd);
  const { task } = await timed('loading the task', async () => ({
    task: await loadAnyRunTask(settings.task, settings.data, { seed: settings.seed, limits: scale.taskExamples, cwd: io.cwd, labels: settings.labels }),
  }));
  requireTrainingExamples(task);
  if (task.kind === 'classification' && task.name.startsWith('file:')) say(`pofa: task ${describeRunTask(task)}`);
  const { baseline } = await timed('TF-IDF baseline', async () => ({ baseline: baselineRow(task) }));
  const run = await openRunDirectory(outDir, { ...settings, out: undefined, resume: undefined, json: undefined, cache: undefined, until: undefined }, { resume: settings.resume, command: 'compress', say });
  const cacheDir = resolveCacheDir(settings.cache, io.env, io.cwd);
  const environment = (stage: string): StageEnvironment => ({
    dir: run.stageDir(stage), resume: settings.resume, seed: settings.seed, progress: io.progress, signal: io.signal, checkpointEvery: scale.checkpointEvery,
  });
  const context: TeacherContext = { scale, seed: settings.seed, cacheDir, environment, note: say };

  const { texts } = await timed('loading the corpus', async () => ({
    texts: source.kind === 'directory' ? [] : await corpusTexts(scale.corpusTexts, settings.seed),
  }));
  // Domain-adaptive pre-training: a user's file adds its training texts to what the vocabulary and the teacher learn from.
  const corpus = pretrainCorpus(texts, { seed: settings.seed }, source.kind === 'directory' || task.kind === 'span' ? undefined : domainTask(task));
  const vocabulary = await timed('WordPiece vocabulary', async () =>
    source.kind === 'directory' ? { vocab: await loadVocab(join(source.dir, 'vocab.txt')), key: `dir:${source.dir}`, reused: true } : cachedVocabulary(corpus, context),
  );
  // Masked LM reads the corpus (the task's texts when the model comes from a directory); the task is tokenized as its kind needs.
  const pretrainTexts = texts.length > 0 ? corpus.texts : taskTexts(task);
  const predictionsDir = join(outDir, 'predictions');
  const { encoder, training, rowScoring, validation } = await timed('tokenizing', async () => ({
    encoder: await prepareEncoder(vocabulary.vocab, pretrainTexts.map((text) => ({ text })), scale.maxLength),
    ...(await prepareTaskPipeline(task, vocabulary.vocab, { maxLength: scale.maxLength, scoreBatchSize: scale.batchSize, predictionsDir })),
  }));
  const teacher = await timed('teacher pre-training (masked LM)', async () =>
    source.kind === 'directory'
      ? { model: await loadModel(source.dir, 'masked-lm'), dir: source.dir, key: `dir:${source.dir}`, reused: true }
      : cachedPretrainedTeacher(corpus, encoder, vocabulary.key, source, context),
  );
  const stop = (models: Array<{ dispose(): void }>): CompressResult => {
    for (const model of models) model.dispose();
    return { rows: [], timings, outDir, stoppedAfter: settings.until };
  };
  if (settings.until === 'pretrain') return stop([teacher.model]);

  const sparsity = effectiveSparsity(settings.pattern, settings.sparsity);
  const pretrainSettings = { steps: scale.steps.sparsePretrain, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize };
  await timed('sparse pre-training (distillation + gradual magnitude pruning)', () =>
    run.stage('sparse-pretrain', { ...pretrainSettings, teacher: teacher.key }, async () => {
      const student = await sparsePretrain(teacher.model, pretrainTexts, encoder,
        pruning ?? defaultPruningModifiers(scale.steps.sparsePretrain, settings.sparsity, settings.pattern), pretrainSettings, environment('sparse-pretrain'));
      student.dispose();
      return { sparsity };
    }),
  );
  if (settings.until === 'prune') return stop([teacher.model]);
  const stageSettings = (stage: 'teacherFinetune' | 'transfer', learningRate: number) => ({ steps: taskStageSteps(scale, stage, training.data.size), learningRate, batchSize: scale.batchSize });
  const keepBestOver = (steps: number) => (validation === undefined ? undefined : { ...validation, every: evaluationInterval(steps) });
  const finetuneSettings = stageSettings('teacherFinetune', scale.learningRate.finetune);
  const finetuned = await timed('teacher fine-tuning', async () =>
    settings.teacher === undefined
      ? cachedFinetunedTeacher(teacher.dir, teacher.key, task, training, finetuneSettings, context, keepBestOver(finetuneSettings.steps))
      : { model: await loadTeacherModel(resolve(io.cwd, settings.teacher), training.head, training.numLabels, `The --teacher ${settings.teacher}`), dir: resolve(io.cwd, settings.teacher), reused: true, kept: null },
  );
  if (finetuned.model.config.vocab_size !== encoder.tokenizer.vocabSize) {
    throw new ConfigError('The --teacher does not share the vocabulary of the model', {
      expected: `vocab_size ${encoder.tokenizer.vocabSize}`,
      received: `vocab_size ${finetuned.model.config.vocab_size}`,
      hint: 'Fine-tune the teacher from the same pre-trained model (or drop --teacher)',
    });
  }

  const distillation = { model: finetuned.model, config: PRUNE_OFA_RECIPE.distillation };
  const transferSettings = stageSettings('transfer', scale.learningRate.finetune);
  const keepBest = keepBestOver(transferSettings.steps);
  const transferred = await timed('sparse transfer (pattern lock + task distillation)', async () => {
    let model: EncoderModel | undefined;
    const record = await run.stage('sparse-transfer', { ...transferSettings, teacher: finetuned.dir, keepBest: keepBest?.every ?? null }, async () => {
      const result = await sparseTransfer(join(run.stageDir('sparse-pretrain'), 'model'), distillation, training, transferSettings, environment('sparse-transfer'), keepBest);
      model = result.model;
      return { kept: keptStep(result.best, transferSettings.steps) };
    });
    return { model: model ?? (await loadModel(join(run.stageDir('sparse-transfer'), 'model'), training.head, training.numLabels)), kept: record.kept, reused: record.reused };
  });
  if (settings.until === 'finetune') return stop([teacher.model, finetuned.model, transferred.model]);
  const perChannel = settings.perChannel;
  const qatSteps = taskStageSteps(scale, 'quantize', training.data.size);
  let quantized: QatResult | undefined;
  if (settings.int8) {
    const qatSettings = { steps: qatSteps, learningRate: scale.learningRate.quantize, batchSize: scale.batchSize, freezeObserversAt: PRUNE_OFA_RECIPE.qat.freezeObserversAt };
    quantized = await timed('quantization-aware training (int8, pattern lock + task distillation)', async () => {
      let result: QatResult | undefined;
      const record = await run.stage('quantize', { ...qatSettings, perChannel }, async () => {
        result = await quantizationAwareTraining(join(run.stageDir('sparse-transfer'), 'model'), distillation, training, qatSettings, environment('quantize'), { perChannel });
        return { sparsityBefore: result.sparsityBefore, sparsityAfter: result.sparsityAfter, perChannel };
      });
      return result ?? { ...(await loadQuantizedStage(run.stageDir('quantize'), training, { perChannel }, record)), reused: true };
    });
  }

  await saveVocab(join(outDir, 'vocab.txt'), vocabulary.vocab);
  const measured = await timed('bundles, latency and evaluation', async () =>
    measureRows(
      { dense: finetuned.model, sparse: transferred.model, ...(quantized === undefined ? {} : { quantized }) },
      { ...rowScoring(), layout: layoutOf(settings.pattern), dir: join(outDir, 'bundles'), vocab: vocabulary.vocab },
    ),
  );
  const rows: ReportRow[] = [...(baseline === undefined ? [] : [baseline]), ...measured.rows];
  const models = {
    dense: finetuned.dir, sparse: 'sparse-transfer/model', ...(quantized === undefined ? {} : { 'sparse-int8': 'quantize/model', 'sparse-int8-safetensors': 'quantize/model-int8.safetensors' }),
    vocab: 'vocab.txt', bundles: Object.fromEntries(Object.keys(measured.bundles).map((stage) => [stage, `bundles/${stage}.pofa`])),
  };
  await writeFileAtomic(join(outDir, 'models.json'), `${JSON.stringify(models, null, 2)}\n`);
  await writeReportJson(join(outDir, 'report.json'), rows);
  const measuredSparsity = rows.find((row) => row.stage === 'sparse')?.sparsity as number;
  const int8Method = quantized === undefined ? undefined
    : `quantization-aware training, ${qatSteps} steps: weights int8 symmetric per ${perChannel ? 'row' : 'tensor'}, inputs uint8 (EMA observers, frozen after ${Math.max(1, Math.floor(qatSteps * PRUNE_OFA_RECIPE.qat.freezeObserversAt))} steps)`;
  for (const model of [teacher.model, finetuned.model, transferred.model, ...(quantized === undefined ? [] : [quantized.model])]) model.dispose();
  await run.complete();
  return {
    rows, timings, sparsity: measuredSparsity, outDir, kernels: measured.kernels, ...(task.kind === 'span' ? { predictionsDir } : {}),
    ...(transferred.kept === null ? {} : { kept: transferred.kept }),
    ...(finetuned.kept === null ? {} : { teacherKept: finetuned.kept }),
    ...(quantized === undefined ? {} : { sparsityAfterQat: quantized.sparsityAfter, int8Method }),
  };
}

