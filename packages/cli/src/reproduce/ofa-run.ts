import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listCheckpoints, parseOptions, type Module } from '@pofa/core';
import { trainWordPieceVocab } from '@pofa/models';
import { computeImportance, DEFAULT_WIDTH_MULTIPLIERS, exportSubModel, reorderByImportance, resolveWidth, supernetShape, trainSupernet } from '@pofa/ofa';
import { createTextBatcher } from '@pofa/tasks';
import { z } from 'zod';
import { loadModel } from '../pipeline/models';
import { createInterruptModifier, taskData } from '../pipeline/stage-training';
import { corpusTexts, labelCountOf, labelling } from '../pipeline/teacher';
import { prepareEncoder } from '../pipeline/text-encoder';
import { loadEmbeddedTask, taskTexts } from './data';
import { evaluateCell, medianLatencies } from './evaluation';
import { formatOfaMarkdown, type OfaResult, type OfaRow } from './ofa-report';
import { OFA_SCALES, type OfaScale } from './ofa-scales';
import { runnerOptionsShape } from './options';
import { backendsOf, type ReproduceResult } from './prune-ofa-run';
import type { StageSizes } from '../pipeline/scales';
import { finetuneDense, pretrainDense, stageModel, type StageContext } from './prune-ofa-stages';
import { openStageFolder, openWorkFolder, writeResultFiles } from '../run-folder';
import { ensureBackend, runIdentity, timedLogger } from './run-files';

/**
 * Options of {@link reproduceOfa}.
 *
 * @example
 * ```ts
 * ofaOptionsSchema.parse({ scale: 'tiny', out: 'results' }).seed; // 0
 * ```
 */
export const ofaOptionsSchema = z.object({ scale: z.enum(['smoke', 'tiny', 'mini']), ...runnerOptionsShape }).strict();

/** What {@link reproduceOfa} takes. */
export type OfaOptions = z.input<typeof ofaOptionsSchema>;

/** Parameters outside the heads and pooler (embeddings and encoder layers). */
function encoderParameters(model: Module): number {
  let count = 0;
  for (const [name, parameter] of model.namedParameters()) if (!/^(classifier|pooler|cls)\./.test(name)) count += parameter.size;
  return count;
}

/** The teacher stages' sizes of an OFA scale (pre-training and fine-tuning only). */
function stageSizesOf(scale: OfaScale): StageSizes {
  const { corpusTexts: texts, vocabSize, maxLength, batchSize, taskExamples, steps, learningRate, checkpointEvery } = scale;
  return {
    corpusTexts: texts, vocabSize, maxLength, batchSize, taskExamples, checkpointEvery,
    steps: { teacherPretrain: steps.teacherPretrain, teacherFinetune: steps.teacherFinetune, sparsePretrain: 0, transfer: 0, quantize: 0 },
    learningRate: { pretrain: learningRate.pretrain, finetune: learningRate.finetune, quantize: learningRate.supernet },
  };
}

/** The first and last loss of a Trainer log (`log.jsonl`): the last record of step 1, and the last record. */
async function lossesOfLog(file: string): Promise<{ first: number | null; final: number | null }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const steps = text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { step?: number; loss?: unknown }).filter((record) => typeof record.loss === 'number');
  const first = [...steps].reverse().find((record) => record.step === 1);
  return { first: (first?.loss as number | undefined) ?? null, final: (steps.at(-1)?.loss as number | undefined) ?? null };
}

/**
 * Runs the OFA width benchmark at a scale: a small BERT pre-trained on the embedded corpus and
 * fine-tuned on the scale's task (the teacher), heads and FFN neurons reordered by importance
 * (PaddleSlim's gradient definition), the width supernet trained with distillation from the frozen
 * teacher at every width, then each width exported as a physically smaller model and measured:
 * parameters, the task's primary metric on its test split (and its retention against the
 * teacher), and the median latency of a forward pass. Writes `ofa-<scale>.json` and `.md` to
 * `out`. The teacher stages are saved in `work` (default `<out>/work/ofa-<scale>`) and the
 * supernet checkpoints there, so a stopped run continues. Each stage records the settings it was
 * made with: a change of the fine-tuning steps reruns fine-tuning and the supernet but keeps the
 * pre-training, a change of the supernet's own settings discards only its checkpoints, and a
 * change of what every stage depends on ({@link runIdentity}) empties `work`.
 *
 * @example
 * ```ts
 * const { rows } = await reproduceOfa({ scale: 'tiny', out: 'pofa-reproduce' });
 * rows.map((row) => row.width); // [1, 0.833, 0.667, 0.5]
 * ```
 */
export async function reproduceOfa(options: OfaOptions): Promise<ReproduceResult<OfaRow>> {
  const settings = parseOptions(ofaOptionsSchema, options, 'ofa options', { hint: 'See pofa reproduce --help' });
  const scale = OFA_SCALES[settings.scale];
  const say = timedLogger(settings.log);
  const started = performance.now();
  const backend = await ensureBackend();
  const texts = await corpusTexts(scale.corpusTexts, settings.seed);
  const task = await loadEmbeddedTask(scale.task, scale.taskExamples, settings.seed);
  const vocab = trainWordPieceVocab(texts, { vocabSize: scale.vocabSize });
  const encoder = await prepareEncoder(vocab, [...texts.map((text) => ({ text })), ...taskTexts(task)], scale.maxLength);
  const training = { progress: settings.progress, checkpointEvery: scale.checkpointEvery, ...(settings.signal === undefined ? {} : { signal: settings.signal }) };
  const context: StageContext = { scale: stageSizesOf(scale), seed: settings.seed, texts, encoder, training, say };
  const work = await openWorkFolder(settings.work ?? join(settings.out, 'work', `ofa-${settings.scale}`), runIdentity('ofa', settings, scale), say);
  const spec = { layers: scale.layers, hidden: scale.hidden, heads: scale.heads };

  say(`teacher: pre-training ${scale.layers} × ${scale.hidden} (${scale.heads} heads), then fine-tuning on ${task.name}`);
  const pretrained = await pretrainDense(spec, join(work, 'pretrained'), context);
  const teacherResult = await finetuneDense(stageModel(join(work, 'pretrained'), pretrained), task, join(work, 'finetuned'), context);
  const supernet = await loadModel(stageModel(join(work, 'finetuned'), teacherResult).dir, 'sequence-classification', labelCountOf(task));
  const teacherParameters = supernet.parameterCount();

  say('importance reorder and supernet training');
  const calibration = createTextBatcher(task.train.slice(0, scale.calibrationBatches * scale.batchSize), {
    encode: encoder.encode, padId: encoder.tokenizer.padId, batchSize: scale.batchSize, maxLength: scale.maxLength, ...labelling(task),
  });
  reorderByImportance(supernet, computeImportance(supernet, calibration.batches(0), { disposeBatches: true }));
  const supernetDir = join(work, 'supernet');
  // Not a once-only stage (its checkpoints go once the table is written), but its checkpoints resume only for its own settings and teacher.
  await openStageFolder(supernetDir, {
    stage: 'supernet', finetuned: teacherResult.identity, steps: scale.steps.supernet, learningRate: scale.learningRate.supernet,
    calibrationBatches: scale.calibrationBatches, widths: DEFAULT_WIDTH_MULTIPLIERS,
  }, say);
  const checkpoints = join(supernetDir, 'checkpoints');
  const log = join(supernetDir, 'log.jsonl');
  // A supernet stage without a checkpoint starts over: its log starts over with it.
  if ((await listCheckpoints(checkpoints)).length === 0) await rm(log, { force: true });
  await trainSupernet({
    supernet,
    trainer: {
      data: taskData(task.train, encoder, labelling(task)), batchSize: scale.batchSize, maxSteps: scale.steps.supernet,
      schedule: scale.learningRate.supernet, seed: settings.seed + 3, progress: settings.progress === false ? false : { stream: settings.progress },
      modifiers: [createInterruptModifier(settings.signal, 'supernet training')],
      checkpoint: { dir: checkpoints, every: scale.checkpointEvery, keep: 1 }, resume: true, log: { file: log },
    },
  });
  const supernetLoss = await lossesOfLog(log);

  say('exporting and measuring each width');
  const shape = supernetShape(supernet);
  const subModels = DEFAULT_WIDTH_MULTIPLIERS.map((width) => exportSubModel(supernet, width));
  const latencies = await medianLatencies(subModels, scale.maxLength, { runs: scale.latencyRuns });
  const rows: OfaRow[] = [];
  for (const [index, width] of DEFAULT_WIDTH_MULTIPLIERS.entries()) {
    const model = subModels[index];
    const result = await evaluateCell(model, task, context);
    const resolved = resolveWidth(shape, width);
    const latency = latencies[index];
    rows.push({
      width, heads: resolved.heads, intermediate: resolved.ffn,
      parameters: model.parameterCount(), encoderParameters: encoderParameters(model), task: task.name, metric: result.metric, value: result.value,
      retention: teacherResult.value === 0 ? null : result.value / teacherResult.value, latencyMs: latency, speedup: latencies[0] === null || latency === null ? null : latencies[0] / latency,
    });
    model.dispose();
  }
  supernet.dispose();
  const seconds = (performance.now() - started) / 1000;
  const teacher = { parameters: teacherParameters, metric: teacherResult.metric, value: teacherResult.value };
  const json: OfaResult = {
    benchmark: 'ofa', scale: settings.scale, backend: backendsOf([pretrained, teacherResult, { backend }], backend), seconds, seed: settings.seed,
    model: spec, task: task.name, sequenceLength: scale.maxLength, teacher, supernetLoss, rows,
  };
  const files = await writeResultFiles(settings.out, {
    [`ofa-${settings.scale}.json`]: `${JSON.stringify(json, null, 2)}\n`,
    [`ofa-${settings.scale}.md`]: formatOfaMarkdown(json),
  });
  await rm(checkpoints, { recursive: true, force: true });
  say(`done in ${seconds.toFixed(0)} s: ${files.join(', ')}`);
  return { rows, files, seconds };
}
