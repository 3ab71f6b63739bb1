// `run({ scale, out })`: the Prune OFA table (dense, 85%, 90%, + QAT) for each model and task.
import { join } from 'node:path';
import { parseOptions } from '@pofa/core';
import { trainWordPieceVocab } from '@pofa/models';
import { z } from 'zod';
import { corpusTexts, loadEmbeddedTask, taskTexts } from '../shared/data.mjs';
import { evaluateModel } from '../shared/evaluation.mjs';
import { ensureBackend, openWorkFolder, timedLogger, writeResultFiles } from '../shared/run-files.mjs';
import { prepareEncoder } from '../shared/text-encoder.mjs';
import { prepareFullScale } from './full-scale.mjs';
import { formatPruneOfaMarkdown, pruneOfaPlots, withRetention } from './report.mjs';
import { SCALES, SPARSITIES } from './scales.mjs';
import { finetuneDense, pretrainDense, sparsePretrain, sparseTransfer } from './stages.mjs';

/**
 * Options of {@link run}. `teacher` (one or more Hugging Face directories), `glue` (a folder of
 * GLUE task folders: MNLI, QQP, QNLI, SST-2), `squad` and `corpus` (a text file, one passage per
 * line, for sparse pre-training) belong to the `full` scale only.
 */
export const pruneOfaOptionsSchema = z
  .object({
    scale: z.enum(['smoke', 'tiny', 'mini', 'full']),
    out: z.string().min(1),
    log: z.function().optional(),
    work: z.string().min(1).optional(),
    seed: z.number().int().default(0),
    teacher: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    glue: z.string().min(1).optional(),
    squad: z.string().min(1).optional(),
    corpus: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((options, context) => {
    const fullOnly = ['teacher', 'glue', 'squad', 'corpus'].filter((key) => options[key] !== undefined);
    if (options.scale !== 'full' && fullOnly.length > 0) {
      context.addIssue({ code: 'custom', message: `${fullOnly.map((key) => `--${key}`).join(', ')} only apply to --scale full (the other scales use the embedded data)` });
    }
    if (options.scale === 'full' && options.teacher === undefined) context.addIssue({ code: 'custom', message: '--scale full needs --teacher HF_DIR (a Hugging Face BERT or DistilBERT directory)' });
    if (options.scale === 'full' && options.glue === undefined && options.squad === undefined) {
      context.addIssue({ code: 'custom', message: '--scale full needs --glue DIR and/or --squad FILE' });
    }
  });

async function embeddedScale(settings, say) {
  const scale = SCALES[settings.scale];
  const texts = await corpusTexts(scale.corpusTexts, settings.seed);
  const tasks = [];
  for (const name of scale.tasks) tasks.push(await loadEmbeddedTask(name, scale.taskExamples, settings.seed));
  say(`data: ${texts.length} corpus texts, tasks ${tasks.map((task) => `${task.name} (${task.train.length}/${task.test.length})`).join(', ')}`);
  const vocab = trainWordPieceVocab(texts, { vocabSize: scale.vocabSize });
  const encoder = await prepareEncoder(vocab, [...texts.map((text) => ({ text })), ...tasks.flatMap(taskTexts)], scale.maxLength);
  const context = { scale, seed: settings.seed, texts, encoder };
  return { scale, tasks, models: scale.models.map((spec) => ({ ...spec, context })) };
}

/**
 * Runs the Prune OFA benchmark at a scale and writes `prune-ofa-<scale>.json` (the rows
 * `{ model, variant, task, metric, value, retention, sparsity }`), `prune-ofa-<scale>.md` (beside
 * the paper's numbers) and one `prune-ofa-<scale>-<task>.svg` per task into `out`. For each
 * model: dense pre-training (or distillation, for the DistilBERT analogue), sparse pre-training to
 * 85% and 90% (distillation + cubic gradual magnitude pruning), and for each task: dense
 * fine-tuning, sparse transfer (pattern lock + task distillation) and QAT on top. Stage outputs go
 * to `work` (default `<out>/work/prune-ofa-<scale>`), so a run that stops continues there.
 *
 * @example
 * ```js
 * const { rows, files } = await run({ scale: 'tiny', out: 'benchmarks/results', log: console.error });
 * ```
 */
export async function run(options) {
  const settings = parseOptions(pruneOfaOptionsSchema, options, 'prune-ofa run');
  const say = timedLogger(settings.log);
  const started = performance.now();
  const backend = await ensureBackend();
  const { scale, tasks, models } = settings.scale === 'full' ? await prepareFullScale(settings, say) : await embeddedScale(settings, say);
  const { log: _log, out: _out, work: _work, ...identity } = settings;
  const work = await openWorkFolder(settings.work ?? join(settings.out, 'work', `prune-ofa-${settings.scale}`), { ...identity, backend, sizes: scale });
  const rows = [];
  const trained = new Map();
  for (const model of models) {
    const { context } = model;
    const modelDir = join(work, model.name);
    let denseDir = model.pretrainedDir;
    if (denseDir === undefined) {
      denseDir = join(modelDir, 'pretrained');
      say(`${model.name}: dense pre-training${model.distilledFrom === undefined ? '' : ` (distilled from ${model.distilledFrom})`}`);
      await pretrainDense(model, denseDir, context, model.distilledFrom === undefined ? undefined : trained.get(model.distilledFrom));
    }
    trained.set(model.name, denseDir);
    for (const { variant, sparsity } of SPARSITIES) {
      say(`${model.name}: sparse pre-training to ${variant}%`);
      await sparsePretrain(denseDir, sparsity, join(modelDir, `sparse-${variant}`), context);
    }
    for (const task of tasks) {
      const taskDir = join(modelDir, task.name);
      const add = (variant, result) => rows.push({ model: model.name, variant, task: task.name, metric: result.metric, value: result.value, sparsity: result.sparsity });
      say(`${model.name} / ${task.name}: dense fine-tuning`);
      add('dense', await finetuneDense(denseDir, task, join(taskDir, 'dense'), context, evaluateModel));
      for (const { variant } of SPARSITIES) {
        say(`${model.name} / ${task.name}: sparse transfer at ${variant}%, then QAT`);
        const transferDir = join(taskDir, `sparse-${variant}`);
        add(variant, await sparseTransfer({ sparseDir: join(modelDir, `sparse-${variant}`), teacherDir: join(taskDir, 'dense'), task, dir: transferDir, qat: false }, context, evaluateModel));
        add(`${variant}+qat`, await sparseTransfer({ sparseDir: transferDir, teacherDir: join(taskDir, 'dense'), task, dir: join(taskDir, `sparse-${variant}-qat`), qat: true }, context, evaluateModel));
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const withRatios = withRetention(rows);
  const taskNames = tasks.map((task) => task.name);
  const modelList = models.map(({ context: _context, pretrainedDir: _dir, ...spec }) => spec);
  const name = `prune-ofa-${settings.scale}`;
  const plots = pruneOfaPlots({ rows: withRatios, models: modelList, tasks: taskNames });
  const json = { benchmark: 'prune-ofa', scale: settings.scale, backend, seconds, seed: settings.seed, models: modelList, tasks: taskNames, rows: withRatios };
  const files = await writeResultFiles(settings.out, {
    [`${name}.json`]: `${JSON.stringify(json, null, 2)}\n`,
    [`${name}.md`]: formatPruneOfaMarkdown({ scale: settings.scale, rows: withRatios, models: modelList, tasks: taskNames, seconds, backend }),
    ...Object.fromEntries(Object.entries(plots).map(([task, svg]) => [`${name}-${task}.svg`, svg])),
  });
  say(`done in ${seconds.toFixed(0)} s: ${files.join(', ')}`);
  return { rows: withRatios, files, seconds };
}
