import { join, resolve } from 'node:path';
import { ConfigError, parseOptions, writeFileAtomic } from '@pofa/core';
import { loadVocab, saveVocab, type EncoderModel } from '@pofa/models';
import { sparsityReport } from '@pofa/prune';
import { describeRunTask, loadAnyRunTask } from '@pofa/tasks';
import { exportOnnx } from '@pofa/onnx';
import type { CompressIo } from './compress';
import { createStageTimer, type StageTiming } from './stage-timer';
import { loadModel, loadTeacherModel } from './models';
import { loadQuantizedStage, quantizationAwareTraining, type QatResult } from './quantize';
import { measureRows } from './report-rows';
import { baselineRow, writeReportJson, type ReportRow } from './report-table';
import { openRunDirectory } from '../run-folder';
import { sparseTransfer } from './sparse';
import { evaluationInterval, keptStep, type KeptStep } from './keep-best';
import type { StageEnvironment } from './stage-training';
import { prepareTaskPipeline, requireTrainingExamples } from './task-pipeline';
import { microBatchSize, type TaskTraining, type TeacherDistillation, type TrainingSettings } from './task-training';
import { resolveTransferSource, transferOptionsSchema, type TransferOptions, type TransferSettings } from './transfer-options';
import { PAPER_TRANSFER, TRANSFER_ATTENTION_BUDGET, TRANSFER_TOKEN_BUDGET, transferDistillation, type PaperStageSettings } from './prune-ofa-recipe';

/** The sparsity of a model's encoder Linear weights, overall and per layer. */
export interface PatternSummary {
  overall: number;
  layers: number[];
}

/** What {@link runTransfer} returns. */
export interface TransferResult {
  rows: ReportRow[];
  timings: StageTiming[];
  /** The checkpoint's pattern: the zeros found in its encoder Linear weights. */
  pattern: PatternSummary;
  /** The training stages as run: steps, learning rate, batch size. */
  stages: { transfer: TrainingSettings; quantize?: TrainingSettings };
  /** Measured sparsity of the QAT model's effective weights (absent with `int8: false`). */
  sparsityAfterQat?: number;
  /** The step of sparse transfer whose weights were kept (the best on the validation split), when the task has one. */
  kept?: KeptStep;
  kernels: string;
  outDir: string;
}

/**
 * The pattern of a model: the fraction of exact zeros of its encoder Linear weights, overall and
 * for each encoder layer (in layer order).
 *
 * @example
 * ```ts
 * patternSummary(model); // { overall: 0.9, layers: [0.9, 0.9, ...] }
 * ```
 */
export function patternSummary(model: EncoderModel): PatternSummary {
  const report = sparsityReport(model);
  const layers: Array<{ count: number; nonZeros: number }> = [];
  for (const row of report.rows) {
    const layer = Number(/(?:^|\.)layer\.(\d+)\./.exec(row.name)?.[1] ?? Number.NaN);
    if (Number.isNaN(layer)) continue;
    layers[layer] ??= { count: 0, nonZeros: 0 };
    layers[layer].count += row.count;
    layers[layer].nonZeros += row.nonZeros;
  }
  return { overall: report.total.sparsity, layers: [...layers].map((entry) => (entry === undefined ? 0 : 1 - entry.nonZeros / entry.count)) };
}

/** Steps of a stage: its epochs over the training batches, capped by `--steps`. */
function stageSettings(
  paper: PaperStageSettings,
  size: number,
  maxLength: number,
  overrides: { epochs?: number; learningRate?: number; batchSize?: number; microBatchSize?: number; steps?: number },
): TrainingSettings {
  const batchSize = overrides.batchSize ?? paper.batchSize;
  const epochSteps = Math.max(1, Math.ceil(((overrides.epochs ?? paper.epochs) * size) / batchSize));
  const micro = overrides.microBatchSize ?? microBatchSize(batchSize, maxLength, TRANSFER_TOKEN_BUDGET, TRANSFER_ATTENTION_BUDGET);
  if (batchSize % micro !== 0) {
    throw new ConfigError('The micro-batch does not divide the batch', {
      expected: `a divisor of the batch size ${batchSize}`,
      received: `--micro-batch ${micro}`,
      hint: `Pick one of ${Array.from({ length: batchSize }, (_, i) => i + 1).filter((d) => batchSize % d === 0).join(', ')}`,
    });
  }
  return { steps: Math.min(epochSteps, overrides.steps ?? Number.POSITIVE_INFINITY), learningRate: overrides.learningRate ?? paper.learningRate, batchSize, microBatchSize: micro };
}

/**
 * Prune Once for All's transfer of a sparse pre-trained checkpoint to a downstream task: the
 * pattern is the checkpoint's zeros (every one stays exactly zero through fine-tuning and QAT);
 * stage 1 fine-tunes with the pattern locked (and distils a dense fine-tuned `teacher` when given:
 * logits KL · T² at T = 2, hard-label weight 0, as the reference scripts), stage 2 adds quantization-
 * aware training to int8. The run folder holds per stage the Hugging Face directory, the `.pofa`
 * bundle and the ONNX model, and the table `compress` prints (`report.json`); `resume` continues an
 * interrupted run.
 *
 * @example
 * ```ts
 * const { rows, pattern } = await runTransfer({ model: 'bert-base-90', task: 'sst2', data: 'glue/SST-2', steps: 100 }, { progress: process.stderr, env: process.env, cwd: process.cwd() });
 * ```
 */
export async function runTransfer(options: TransferOptions, io: CompressIo): Promise<TransferResult> {
  const settings: TransferSettings = parseOptions(transferOptionsSchema, options, 'pofa transfer');
  if (settings.distillHidden && settings.teacher === undefined) {
    throw new ConfigError('--distill-hidden needs a teacher', { expected: '--teacher DIR, a dense model fine-tuned on the task', received: 'no --teacher', hint: 'Add --teacher DIR, or drop --distill-hidden' });
  }
  const outDir = resolve(io.cwd, settings.out);
  const { say, timed, timings } = createStageTimer(io.progress);

  // Everything a user can get wrong is checked before any training.
  const source = await resolveTransferSource(settings.model, io.cwd);
  const limits = { train: Number.POSITIVE_INFINITY, validation: Number.POSITIVE_INFINITY, test: settings.maxEval ?? Number.POSITIVE_INFINITY };
  const { task } = await timed('loading the task', async () => ({ task: await loadAnyRunTask(settings.task, settings.data, { seed: settings.seed, limits, cwd: io.cwd, labels: settings.labels }) }));
  requireTrainingExamples(task);
  if (task.kind === 'classification' && task.name.startsWith('file:')) say(`pofa: task ${describeRunTask(task)}`);
  const { baseline } = await timed('TF-IDF baseline', async () => ({ baseline: baselineRow(task) }));
  const paper = PAPER_TRANSFER[task.kind];
  const maxLength = settings.maxLength ?? paper.maxLength;
  const vocab = await loadVocab(source.vocab);
  const batchSize = settings.batchSize ?? paper.transfer.batchSize;
  const { training, rowScoring, validation } = await timed('tokenizing', () => prepareTaskPipeline(task, vocab, { maxLength, scoreBatchSize: Math.min(8, batchSize), predictionsDir: join(outDir, 'predictions') }));

  const pattern = await timed('reading the sparsity pattern', async () => {
    const model = await loadModel(source.dir, training.head, training.numLabels);
    try {
      checkVocabulary(model, vocab.length, source.vocab);
      return { ...patternSummary(model), config: model.config, numLayers: model.numLayers, hiddenSize: model.hiddenSize };
    } finally {
      model.dispose();
    }
  });
  say(`pofa: pattern of ${source.dir}: ${(100 * pattern.overall).toFixed(2)}% of the encoder Linear weights are zero (per layer: ${pattern.layers.map((value) => `${(100 * value).toFixed(1)}%`).join(', ')})`);
  const teacher: TeacherDistillation | undefined = settings.teacher === undefined ? undefined : await loadTeacher(resolve(io.cwd, settings.teacher), training, pattern, settings.distillHidden);

  const run = await openRunDirectory(outDir, { ...settings, out: undefined, resume: undefined, json: undefined }, { resume: settings.resume, command: 'transfer', say });
  const environment = (stage: string): StageEnvironment => ({
    dir: run.stageDir(stage), resume: settings.resume, seed: settings.seed, progress: io.progress, signal: io.signal, checkpointEvery: 200,
  });
  const transferSettings = stageSettings(paper.transfer, training.data.size, maxLength, { ...settings });
  const keepBest = validation === undefined ? undefined : { ...validation, every: evaluationInterval(transferSettings.steps) };
  const transferred = await timed('sparse transfer (pattern lock' + (teacher === undefined ? ')' : ' + distillation)'), () =>
    run.stage('sparse-transfer', { ...transferSettings, keepBest: keepBest?.every ?? null }, async () => {
      const { model, best } = await sparseTransfer(source.dir, teacher, training, transferSettings, environment('sparse-transfer'), keepBest);
      model.dispose();
      return { ...transferSettings, kept: keptStep(best, transferSettings.steps) };
    }),
  );
  // The transferred model is read again for the table: QAT needs the memory (its own copy, masks, moments).

  let quantized: QatResult | undefined;
  let quantizeSettings: TrainingSettings | undefined;
  if (settings.int8) {
    quantizeSettings = stageSettings(paper.quantize, training.data.size, maxLength, { epochs: settings.qatEpochs, learningRate: settings.qatLearningRate, batchSize: settings.batchSize, microBatchSize: settings.microBatchSize, steps: settings.steps });
    const scheme = { perChannel: settings.perChannel };
    const qatSettings = { ...quantizeSettings, freezeObserversAt: 0.5 };
    quantized = await timed('quantization-aware training (int8, pattern lock' + (teacher === undefined ? ')' : ' + distillation)'), async () => {
      let result: QatResult | undefined;
      const record = await run.stage('quantize', { ...quantizeSettings, scheme, freezeObserversAt: qatSettings.freezeObserversAt }, async () => {
        result = await quantizationAwareTraining(join(run.stageDir('sparse-transfer'), 'model'), teacher, training, qatSettings, environment('quantize'), scheme);
        return { sparsityBefore: result.sparsityBefore, sparsityAfter: result.sparsityAfter, ...quantizeSettings };
      });
      return result === undefined ? { ...(await loadQuantizedStage(run.stageDir('quantize'), training, scheme, record)), reused: true } : result;
    });
  }

  await saveVocab(join(outDir, 'vocab.txt'), vocab);
  let sparse: EncoderModel | undefined;
  const measured = await timed('bundles, ONNX, latency and evaluation', async () => {
    await exportStageOnnx(join(run.stageDir('sparse-transfer'), 'model'), join(outDir, 'onnx', 'sparse.onnx'), training);
    if (quantized !== undefined) await exportStageOnnx(join(run.stageDir('quantize'), 'model'), join(outDir, 'onnx', 'sparse-int8.onnx'), training, quantized.int8);
    sparse = await loadModel(join(run.stageDir('sparse-transfer'), 'model'), training.head, training.numLabels);
    return measureRows(
      { ...(teacher === undefined ? {} : { dense: teacher.model }), sparse, ...(quantized === undefined ? {} : { quantized }) },
      { ...rowScoring(), layout: settings.layout, dir: join(outDir, 'bundles'), vocab, latencyRuns: 10 },
    );
  });
  const models = {
    ...(settings.teacher === undefined ? {} : { dense: resolve(io.cwd, settings.teacher) }),
    sparse: 'sparse-transfer/model',
    ...(quantized === undefined ? {} : { 'sparse-int8': 'quantize/model', 'sparse-int8-safetensors': 'quantize/model-int8.safetensors' }),
    vocab: 'vocab.txt',
    bundles: Object.fromEntries(Object.keys(measured.bundles).map((stage) => [stage, `bundles/${stage}.pofa`])),
    onnx: { sparse: 'onnx/sparse.onnx', ...(quantized === undefined ? {} : { 'sparse-int8': 'onnx/sparse-int8.onnx' }) },
  };
  await writeFileAtomic(join(outDir, 'models.json'), `${JSON.stringify(models, null, 2)}\n`);
  const rows = [...(baseline === undefined ? [] : [baseline]), ...measured.rows];
  await writeReportJson(join(outDir, 'report.json'), rows);
  for (const model of [teacher?.model, sparse, quantized?.model]) model?.dispose();
  await run.complete();
  return {
    rows, timings, pattern: { overall: pattern.overall, layers: pattern.layers }, kernels: measured.kernels, outDir,
    ...(transferred.kept === null ? {} : { kept: transferred.kept }),
    stages: { transfer: transferSettings, ...(quantizeSettings === undefined ? {} : { quantize: quantizeSettings }) },
    ...(quantized === undefined ? {} : { sparsityAfterQat: quantized.sparsityAfter }),
  };
}

const vocabRows = (model: Pick<EncoderModel, 'config'>): number => Number((model.config as { vocab_size: number }).vocab_size);

function checkVocabulary(model: EncoderModel, vocabSize: number, vocabPath: string): void {
  if (vocabSize > vocabRows(model)) {
    throw new ConfigError(`${vocabPath} has more entries than the model has word embeddings`, {
      expected: `at most ${vocabRows(model)} entries (config.json vocab_size)`,
      received: `${vocabSize} entries`,
      hint: 'Use the vocab.txt that was released with this checkpoint',
    });
  }
}

/** The dense teacher with the head of the task, checked to share the student's vocabulary. */
async function loadTeacher(dir: string, training: TaskTraining, student: Pick<EncoderModel, 'config' | 'numLayers' | 'hiddenSize'>, distillHidden: boolean): Promise<TeacherDistillation> {
  const model = await loadTeacherModel(dir, training.head, training.numLabels, `The --teacher ${dir}`);
  if (vocabRows(model) !== vocabRows(student)) {
    model.dispose();
    throw new ConfigError(`The --teacher ${dir} does not share the vocabulary of the model`, {
      expected: `vocab_size ${vocabRows(student)}, as the sparse model`,
      received: `vocab_size ${vocabRows(model)}`,
      hint: 'Use a teacher fine-tuned from the same pre-trained vocabulary (e.g. bert-base-uncased for the BERT-Base checkpoints)',
    });
  }
  if (!distillHidden) return { model, config: transferDistillation() };
  return { model, config: transferDistillation({ studentLayers: student.numLayers, teacherLayers: model.numLayers, studentHidden: student.hiddenSize, teacherHidden: model.hiddenSize }) };
}

async function exportStageOnnx(modelDir: string, out: string, training: TaskTraining, int8?: QatResult['int8']): Promise<void> {
  const model = await loadModel(modelDir, training.head, training.numLabels);
  try {
    await exportOnnx(model, { out, ...(int8 === undefined ? {} : { int8 }) });
  } finally {
    model.dispose();
  }
}
