// `run({ scale, out })`: the OFA width table (PaddleSlim's widths): parameters, metric and latency per width.
import { join } from 'node:path';
import { parseOptions } from '@pofa/core';
import { trainWordPieceVocab } from '@pofa/models';
import { computeImportance, DEFAULT_WIDTH_MULTIPLIERS, exportSubModel, reorderByImportance, resolveWidth, supernetShape, trainSupernet } from '@pofa/prune';
import { createTextBatcher } from '@pofa/tasks';
import { z } from 'zod';
import { corpusTexts, labellingOf, loadEmbeddedTask, taskTexts } from '../shared/data.mjs';
import { evaluateModel, medianLatencies } from '../shared/evaluation.mjs';
import { ensureBackend, openWorkFolder, timedLogger, writeResultFiles } from '../shared/run-files.mjs';
import { prepareEncoder } from '../shared/text-encoder.mjs';
import { taskData, yieldToEventLoop } from '../shared/training.mjs';
import { finetuneDense, loadStageModel, pretrainDense } from '../prune-ofa/stages.mjs';
import { formatOfaMarkdown } from './report.mjs';
import { OFA_SCALES } from './scales.mjs';

/** Options of {@link run}. */
export const ofaOptionsSchema = z
  .object({ scale: z.enum(['smoke', 'tiny', 'mini']), out: z.string().min(1), log: z.function().optional(), work: z.string().min(1).optional(), seed: z.number().int().default(0) })
  .strict();

/** Parameters outside the heads and pooler (embeddings and encoder layers). */
function encoderParameters(model) {
  let count = 0;
  for (const [name, parameter] of model.namedParameters()) if (!/^(classifier|pooler|cls)\./.test(name)) count += parameter.size;
  return count;
}

/**
 * Runs the OFA width benchmark at a scale: a small BERT pre-trained on the embedded corpus and
 * fine-tuned on the scale's task (the teacher), heads and FFN neurons reordered by importance
 * (PaddleSlim's gradient definition), the width supernet trained with distillation from the frozen
 * teacher at every width, then each width exported as a physically smaller model and measured:
 * parameters, the task's primary metric on its test split (and its retention against the
 * teacher), and the median latency of a forward pass. Writes `ofa-<scale>.json` and `.md` to `out`.
 *
 * @example
 * ```js
 * const { rows } = await run({ scale: 'tiny', out: 'benchmarks/results' });
 * rows.map((row) => row.width); // [1, 0.833, 0.667, 0.5]
 * ```
 */
export async function run(options) {
  const settings = parseOptions(ofaOptionsSchema, options, 'ofa run');
  const scale = OFA_SCALES[settings.scale];
  const say = timedLogger(settings.log);
  const started = performance.now();
  const backend = await ensureBackend();
  const texts = await corpusTexts(scale.corpusTexts, settings.seed);
  const task = await loadEmbeddedTask(scale.task, scale.taskExamples, settings.seed);
  const vocab = trainWordPieceVocab(texts, { vocabSize: scale.vocabSize });
  const encoder = await prepareEncoder(vocab, [...texts.map((text) => ({ text })), ...taskTexts(task)], scale.maxLength);
  const context = { scale: { ...scale, steps: { ...scale.steps, transfer: 0 } }, seed: settings.seed, texts, encoder };
  const { log: _log, out: _out, work: _work, ...identity } = settings;
  const work = await openWorkFolder(settings.work ?? join(settings.out, 'work', `ofa-${settings.scale}`), { ...identity, backend, sizes: scale });
  const spec = { layers: scale.layers, hidden: scale.hidden, heads: scale.heads };

  say(`teacher: pre-training ${scale.layers} × ${scale.hidden} (${scale.heads} heads), then fine-tuning on ${task.name}`);
  await pretrainDense(spec, join(work, 'pretrained'), context);
  const teacherResult = await finetuneDense(join(work, 'pretrained'), task, join(work, 'finetuned'), context, evaluateModel);
  const supernet = await loadStageModel(join(work, 'finetuned'), 'sequence-classification', task.regression ? 1 : task.labels.length);
  const teacherParameters = supernet.parameterCount();

  say('importance reorder and supernet training');
  const calibration = createTextBatcher(task.train.slice(0, scale.calibrationBatches * scale.batchSize), {
    encode: encoder.encode, padId: encoder.tokenizer.padId, batchSize: scale.batchSize, maxLength: scale.maxLength, ...labellingOf(task),
  });
  reorderByImportance(supernet, computeImportance(supernet, calibration.batches(0), { disposeBatches: true }));
  const summary = await trainSupernet({
    supernet,
    trainer: {
      data: taskData(task.train, encoder, labellingOf(task)), batchSize: scale.batchSize, maxSteps: scale.steps.supernet,
      schedule: scale.learningRate.supernet, seed: settings.seed + 3, progress: false, modifiers: [yieldToEventLoop()],
    },
  });

  say('exporting and measuring each width');
  const shape = supernetShape(supernet);
  const subModels = DEFAULT_WIDTH_MULTIPLIERS.map((width) => exportSubModel(supernet, width));
  const latencies = await medianLatencies(subModels, scale.maxLength, { runs: scale.latencyRuns });
  const rows = [];
  for (const [index, width] of DEFAULT_WIDTH_MULTIPLIERS.entries()) {
    const model = subModels[index];
    const result = await evaluateModel(model, task, context);
    const resolved = resolveWidth(shape, width);
    rows.push({
      width, heads: resolved.heads, intermediate: resolved.ffn,
      parameters: model.parameterCount(), encoderParameters: encoderParameters(model), task: task.name, metric: result.metric, value: result.value,
      retention: teacherResult.value === 0 ? null : result.value / teacherResult.value, latencyMs: latencies[index], speedup: latencies[0] === null || latencies[index] === null ? null : latencies[0] / latencies[index],
    });
    model.dispose();
  }
  supernet.dispose();
  const seconds = (performance.now() - started) / 1000;
  const teacher = { parameters: teacherParameters, metric: teacherResult.metric, value: teacherResult.value };
  const json = { benchmark: 'ofa', scale: settings.scale, backend, seconds, seed: settings.seed, model: spec, task: task.name, sequenceLength: scale.maxLength, teacher, supernetLoss: { first: summary.history[0]?.loss ?? null, final: summary.finalLoss }, rows };
  const files = await writeResultFiles(settings.out, {
    [`ofa-${settings.scale}.json`]: `${JSON.stringify(json, null, 2)}\n`,
    [`ofa-${settings.scale}.md`]: formatOfaMarkdown(json),
  });
  say(`done in ${seconds.toFixed(0)} s: ${files.join(', ')}`);
  return { rows, files, seconds };
}
