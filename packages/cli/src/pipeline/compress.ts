import { join, resolve } from 'node:path';
import { ConfigError, parseOptions, type ProgressStream } from '@pofa/core';
import { loadVocab, type EncoderModel } from '@pofa/models';
import { sparsityReport } from '@pofa/prune';
import { resolveCacheDir } from './cache';
import { compressOptionsSchema, recipeModifiers, type CompressOptions, type CompressSettings } from './compress-options';
import { evaluateModel, fileBytes, measureLatencies, nominalEncoderBytes } from './measure';
import { loadModel, resolveModelSource } from './models';
import { quantizeToInt8 } from './quantize';
import type { ReportRow } from './report-table';
import { openRunDirectory } from './run-directory';
import { SCALES } from './scales';
import { defaultPruningModifiers, effectiveSparsity, sparsePretrain, sparseTransfer } from './sparse';
import type { StageEnvironment } from './stage-training';
import { loadRunTask } from './task-source';
import { cachedFinetunedTeacher, cachedPretrainedTeacher, cachedVocabulary, corpusTexts, labelCountOf, type TeacherContext } from './teacher';
import { prepareEncoder } from './text-encoder';

/** Where a compress run reports: progress bars, stage lines, and the stop signal. */
export interface CompressIo {
  /** Progress bars and stage lines (stderr in the CLI); false for silence. */
  progress: ProgressStream | false;
  env: Record<string, string | undefined>;
  cwd: string;
  signal?: AbortSignal;
}

/** The time a stage took and whether it came from the cache or an earlier (resumed) run. */
export interface StageTiming {
  stage: string;
  seconds: number;
  reused: boolean;
}

/** What {@link runCompress} returns. */
export interface CompressResult {
  rows: ReportRow[];
  timings: StageTiming[];
  /** Measured sparsity of the encoder Linear weights of the sparse model. */
  sparsity: number;
  outDir: string;
  int8Method?: string;
}

async function evaluateRow(
  stage: ReportRow['stage'],
  model: EncoderModel,
  dense: EncoderModel,
  context: { task: Awaited<ReturnType<typeof loadRunTask>>; encoder: Awaited<ReturnType<typeof prepareEncoder>>; batchSize: number; maxLength: number },
  sizes: { bits: number; onDisk: number | null },
): Promise<ReportRow> {
  const result = await evaluateModel(model, context.task, 'test', context.encoder, 2 * context.batchSize);
  // Dense and this model take turns, so the speedup compares them under the same load.
  const [denseMs, latencyMs] = model === dense ? [1, ...(await measureLatencies([model], context.maxLength))] : await measureLatencies([dense, model], context.maxLength);
  return {
    stage,
    task: context.task.name,
    metric: result.primaryMetric,
    value: result.primary,
    encoderBytesNominal: nominalEncoderBytes(model, sizes.bits),
    encoderBytesOnDisk: sizes.onDisk,
    latencyMs,
    speedup: model === dense ? 1 : denseMs / latencyMs,
  };
}

/**
 * Runs the Prune OFA pipeline end to end: corpus and task, WordPiece vocabulary and dense teacher
 * pre-training (cached), teacher fine-tuning on the task (cached), sparse pre-training with
 * distillation and gradual magnitude pruning, sparse transfer with pattern lock and task
 * distillation, int8, then the table rows (dense, sparse, sparse-int8) with the test metric,
 * encoder sizes and latency. Each stage's result is saved in `out`, so `resume` continues an
 * interrupted run where it stopped.
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
  const timings: StageTiming[] = [];
  const say = (text: string) => io.progress !== false && io.progress.write(`${text}\n`);
  const timed = async <T>(stage: string, work: () => Promise<T & { reused?: boolean }>): Promise<T & { reused?: boolean }> => {
    say(`pofa: ${stage} ...`);
    const started = performance.now();
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    timings.push({ stage, seconds, reused: value.reused === true });
    say(`pofa: ${stage} ${value.reused === true ? 'reused' : 'done'} in ${seconds.toFixed(1)} s`);
    return value;
  };

  // Everything a user can get wrong is checked before any training.
  const source = await resolveModelSource(settings.model, io.cwd);
  const pruning = settings.recipe === undefined ? undefined : await recipeModifiers(settings.recipe, io.cwd);
  const { task } = await timed('loading the task', async () => ({
    task: await loadRunTask(settings.task, settings.data, { seed: settings.seed, limits: scale.taskExamples, cwd: io.cwd }),
  }));
  const run = await openRunDirectory(outDir, { ...settings, resume: undefined, json: undefined, cache: undefined }, { resume: settings.resume, command: 'compress' });
  const cacheDir = resolveCacheDir(settings.cache, io.env, io.cwd);
  const environment = (stage: string): StageEnvironment => ({
    dir: run.stageDir(stage), resume: settings.resume, seed: settings.seed, progress: io.progress, signal: io.signal, checkpointEvery: scale.checkpointEvery,
  });
  const context: TeacherContext = { scale, seed: settings.seed, cacheDir, environment, note: say };

  const { texts } = await timed('loading the corpus', async () => ({
    texts: source.kind === 'directory' ? [] : await corpusTexts(scale.corpusTexts, settings.seed),
  }));
  const vocabulary = await timed('WordPiece vocabulary', async () =>
    source.kind === 'directory' ? { vocab: await loadVocab(join(source.dir, 'vocab.txt')), key: `dir:${source.dir}`, reused: true } : cachedVocabulary(texts, context),
  );
  const encoder = await timed('tokenizing', () => prepareEncoder(vocabulary.vocab, [...texts.map((text) => ({ text })), ...task.train, ...task.validation, ...task.test], scale.maxLength));
  const teacher = await timed('teacher pre-training (masked LM)', async () =>
    source.kind === 'directory'
      ? { model: await loadModel(source.dir, 'masked-lm'), dir: source.dir, key: `dir:${source.dir}`, reused: true }
      : cachedPretrainedTeacher(texts, encoder, vocabulary.key, source, context),
  );
  const numLabels = labelCountOf(task);
  const finetuned = await timed('teacher fine-tuning', async () =>
    settings.teacher === undefined
      ? cachedFinetunedTeacher(teacher.dir, teacher.key, task, encoder, context)
      : { model: await loadModel(resolve(io.cwd, settings.teacher), 'sequence-classification', numLabels), dir: resolve(io.cwd, settings.teacher), reused: true },
  );
  if (finetuned.model.config.vocab_size !== encoder.tokenizer.vocabSize) {
    throw new ConfigError('The --teacher does not share the vocabulary of the model', {
      expected: `vocab_size ${encoder.tokenizer.vocabSize}`,
      received: `vocab_size ${finetuned.model.config.vocab_size}`,
      hint: 'Fine-tune the teacher from the same pre-trained model (or drop --teacher)',
    });
  }

  const sparsity = effectiveSparsity(settings.pattern, settings.sparsity);
  await timed('sparse pre-training (distillation + gradual magnitude pruning)', async () => {
    if ((await run.finished('sparse-pretrain')) !== undefined) return { reused: true };
    const student = await sparsePretrain(teacher.model, texts.length > 0 ? texts : task.train.map((example) => example.text), encoder,
      pruning ?? defaultPruningModifiers(scale.steps.sparsePretrain, settings.sparsity, settings.pattern), scale, environment('sparse-pretrain'));
    student.dispose();
    await run.finish('sparse-pretrain', { sparsity });
    return {};
  });
  const transferred = await timed('sparse transfer (pattern lock + task distillation)', async () => {
    const dir = join(run.stageDir('sparse-transfer'), 'model');
    if ((await run.finished('sparse-transfer')) !== undefined) return { model: await loadModel(dir, 'sequence-classification', numLabels), reused: true };
    const model = await sparseTransfer(join(run.stageDir('sparse-pretrain'), 'model'), finetuned.model, task, encoder, scale, environment('sparse-transfer'));
    await run.finish('sparse-transfer', {});
    return { model };
  });
  const measured = sparsityReport(transferred.model).total.sparsity;

  const rows: ReportRow[] = [];
  const rowContext = { task, encoder, batchSize: scale.batchSize, maxLength: scale.maxLength };
  let int8Method: string | undefined;
  await timed('evaluation', async () => {
    const dense = finetuned.model;
    rows.push(await evaluateRow('dense', dense, dense, rowContext, { bits: 32, onDisk: await fileBytes(join(finetuned.dir, 'model.safetensors')) }));
    rows.push(await evaluateRow('sparse', transferred.model, dense, rowContext, { bits: 32, onDisk: null }));
    if (settings.int8) {
      const int8 = await quantizeToInt8(transferred.model, run.stageDir('quantize'));
      int8Method = int8.method;
      rows.push(await evaluateRow('sparse-int8', transferred.model, dense, rowContext, { bits: 8, onDisk: int8.bytesOnDisk }));
    }
    return {};
  });
  for (const model of [teacher.model, finetuned.model, transferred.model]) model.dispose();
  await run.complete();
  return { rows, timings, sparsity: measured, outDir, ...(int8Method === undefined ? {} : { int8Method }) };
}
