import { join } from 'node:path';
import { parseOptions } from '@pofa/core';
import { trainWordPieceVocab } from '@pofa/models';
import { z } from 'zod';
import type { RunTask } from '@pofa/tasks';
import { corpusTexts } from '../pipeline/teacher';
import { prepareEncoder } from '../pipeline/text-encoder';
import { loadEmbeddedTask, taskTexts } from './data';
import { prepareFullScale } from './full-scale';
import { runnerOptionsShape } from './options';
import { formatPruneOfaMarkdown, pruneOfaPlots, withRetention, type PruneOfaRow } from './prune-ofa-report';
import { PRUNE_OFA_FULL_SCALE, PRUNE_OFA_SCALES, PRUNE_OFA_SPARSITIES, type StageSizes } from './prune-ofa-scales';
import type { StageIo } from '../pipeline/stage-training';
import { identityHash, openWorkFolder, writeResultFiles, type Say, type StageOutput, type StageRecord } from '../run-folder';
import { finetuneDense, pretrainDense, sparsePretrain, sparseTransfer, stageModel, type StageContext } from './prune-ofa-stages';
import { ensureBackend, runIdentity, timedLogger } from './run-files';

/**
 * Options of {@link reproducePruneOfa}. `teacher` (one or more Hugging Face directories), `glue`
 * (a folder of GLUE task folders: MNLI, QQP, QNLI, SST-2), `squad` and `corpus` (a text file, one
 * passage per line, for sparse pre-training) belong to the `full` scale only.
 *
 * @example
 * ```ts
 * pruneOfaOptionsSchema.safeParse({ scale: 'tiny', out: 'results', glue: 'glue_data' }).success; // false: --glue is for full
 * ```
 */
export const pruneOfaOptionsSchema = z
  .object({
    scale: z.enum(['smoke', 'tiny', 'mini', 'full']),
    ...runnerOptionsShape,
    teacher: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    glue: z.string().min(1).optional(),
    squad: z.string().min(1).optional(),
    corpus: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((options, context) => {
    const fullOnly = (['teacher', 'glue', 'squad', 'corpus'] as const).filter((key) => options[key] !== undefined);
    if (options.scale !== 'full' && fullOnly.length > 0) {
      context.addIssue({ code: 'custom', message: `${fullOnly.map((key) => `--${key}`).join(', ')} only apply to --scale full (the other scales use the embedded data)` });
    }
    if (options.scale === 'full' && options.teacher === undefined) context.addIssue({ code: 'custom', message: '--scale full needs --teacher HF_DIR (a Hugging Face BERT or DistilBERT directory)' });
    if (options.scale === 'full' && options.glue === undefined && options.squad === undefined) {
      context.addIssue({ code: 'custom', message: '--scale full needs --glue DIR and/or --squad FILE' });
    }
  });

/** What {@link reproducePruneOfa} takes. */
export type PruneOfaOptions = z.input<typeof pruneOfaOptionsSchema>;

/** What a reproduce runner returns: the rows, the files written and the wall time of this call. */
export interface ReproduceResult<Row> {
  rows: Row[];
  files: string[];
  seconds: number;
}

/** A model row of a run with its stage context; `pretrainedDir` for a `--teacher` checkpoint. */
interface RunModel {
  name: string;
  paper: string;
  layers: number;
  hidden: number;
  heads?: number;
  distilledFrom?: string;
  pretrainedDir?: string;
  context: StageContext;
}

function trainingOf(settings: { progress: StageIo['progress']; signal?: AbortSignal }, checkpointEvery: number): StageIo {
  return { progress: settings.progress, checkpointEvery, ...(settings.signal === undefined ? {} : { signal: settings.signal }) };
}

/**
 * The backends the stages of a table ran on (a run continued in another session may mix them),
 * joined with `+`; `current` when no record names one.
 *
 * @example
 * ```ts
 * backendsOf([{ backend: 'wasm' }, { backend: 'wasm' }], 'cpu'); // 'wasm'
 * ```
 */
export function backendsOf(records: ReadonlyArray<{ backend?: string }>, current: string): string {
  const names = [...new Set(records.map((record) => record.backend).filter((name): name is string => typeof name === 'string'))];
  return names.length === 0 ? current : names.join('+');
}

/**
 * The seconds the stages of a table took, summed over their records (across sessions when a
 * run was continued); stages made before stage times were recorded count 0.
 *
 * @example
 * ```ts
 * stageSeconds([{ seconds: 12.5 }, { seconds: 3 }]); // 15.5
 * ```
 */
export function stageSeconds(records: ReadonlyArray<{ seconds?: number }>): number {
  return records.reduce((sum, record) => sum + (typeof record.seconds === 'number' ? record.seconds : 0), 0);
}

async function embeddedScale(settings: z.output<typeof pruneOfaOptionsSchema>, say: Say): Promise<{ scale: StageSizes; tasks: RunTask[]; models: RunModel[] }> {
  const scale = PRUNE_OFA_SCALES[settings.scale as keyof typeof PRUNE_OFA_SCALES];
  const texts = await corpusTexts(scale.corpusTexts, settings.seed);
  const tasks: RunTask[] = [];
  for (const name of scale.tasks) tasks.push(await loadEmbeddedTask(name, scale.taskExamples, settings.seed));
  say(`data: ${texts.length} corpus texts, tasks ${tasks.map((task) => `${task.name} (${task.train.length}/${task.test.length})`).join(', ')}`);
  const vocab = trainWordPieceVocab(texts, { vocabSize: scale.vocabSize });
  const encoder = await prepareEncoder(vocab, [...texts.map((text) => ({ text })), ...tasks.flatMap(taskTexts)], scale.maxLength);
  const context: StageContext = { scale, seed: settings.seed, texts, encoder, training: trainingOf(settings, scale.checkpointEvery), say };
  return { scale, tasks, models: scale.models.map((spec) => ({ ...spec, context })) };
}

/**
 * Runs the Prune OFA benchmark at a scale and writes `prune-ofa-<scale>.json` (the rows
 * `{ model, variant, task, metric, value, sparsity, retention }`), `prune-ofa-<scale>.md` (beside
 * the paper's numbers) and one `prune-ofa-<scale>-<task>.svg` per task into `out`. For each
 * model: dense pre-training (or distillation, for the DistilBERT analogue), sparse pre-training to
 * 85% and 90% (distillation + cubic gradual magnitude pruning), and for each task: dense
 * fine-tuning, sparse transfer (pattern lock + task distillation) and QAT on top. Each stage
 * saves its model and result in `work` (default `<out>/work/prune-ofa-<scale>`), so a run that
 * stops (Ctrl-C through `signal`, a crash, a closed session) continues there: finished stages are
 * not run again, and an interrupted one resumes from its last checkpoint. Each stage records the
 * settings it was made with (its identity): when they change (its steps, its learning rate, or a
 * stage it reads from), that stage and the stages after it run again and the others are kept;
 * when what every stage depends on changes ({@link runIdentity}), `work` is emptied.
 *
 * @example
 * ```ts
 * const { rows, files } = await reproducePruneOfa({ scale: 'tiny', out: 'pofa-reproduce', log: console.error });
 * ```
 */
export async function reproducePruneOfa(options: PruneOfaOptions): Promise<ReproduceResult<PruneOfaRow>> {
  const settings = parseOptions(pruneOfaOptionsSchema, options, 'prune-ofa options', { hint: 'See pofa reproduce --help' });
  const say = timedLogger(settings.log);
  const started = performance.now();
  const backend = await ensureBackend();
  const { scale, tasks, models }: { scale: StageSizes; tasks: RunTask[]; models: RunModel[] } = settings.scale === 'full'
    ? await prepareFullScale({ ...settings, teacher: settings.teacher as string | string[] }, say, trainingOf(settings, PRUNE_OFA_FULL_SCALE.checkpointEvery))
    : await embeddedScale(settings, say);
  const work = await openWorkFolder(settings.work ?? join(settings.out, 'work', `prune-ofa-${settings.scale}`), runIdentity('prune-ofa', settings, scale), say);
  const rows: Array<Omit<PruneOfaRow, 'retention'>> = [];
  const records: Array<StageRecord<{ seconds?: number }>> = [];
  const trained = new Map<string, StageOutput>();
  // Each stage's model with its identity: a stage reading it includes that identity in its own.
  const output = stageModel;
  for (const model of models) {
    const { context } = model;
    const modelDir = join(work, model.name);
    let dense: StageOutput;
    if (model.pretrainedDir === undefined) {
      say(`${model.name}: dense pre-training${model.distilledFrom === undefined ? '' : ` (distilled from ${model.distilledFrom})`}`);
      const distilledFrom = model.distilledFrom === undefined ? undefined : trained.get(model.distilledFrom);
      const record = await pretrainDense({ layers: model.layers, hidden: model.hidden, heads: model.heads ?? 1 }, join(modelDir, 'pretrained'), context, distilledFrom);
      records.push(record);
      dense = output(join(modelDir, 'pretrained'), record);
    } else {
      dense = { dir: model.pretrainedDir, identity: identityHash({ checkpoint: model.pretrainedDir }) };
    }
    trained.set(model.name, dense);
    const sparse = new Map<string, StageOutput>();
    for (const { variant, sparsity } of PRUNE_OFA_SPARSITIES) {
      say(`${model.name}: sparse pre-training to ${variant}%`);
      const record = await sparsePretrain(dense, sparsity, join(modelDir, `sparse-${variant}`), context);
      records.push(record);
      sparse.set(variant, output(join(modelDir, `sparse-${variant}`), record));
    }
    for (const task of tasks) {
      const taskDir = join(modelDir, task.name);
      const add = (variant: string, result: StageRecord<{ metric: string; value: number; sparsity: number }>): StageRecord<unknown> => {
        records.push(result);
        rows.push({ model: model.name, variant, task: task.name, metric: result.metric, value: result.value, sparsity: result.sparsity });
        return result;
      };
      say(`${model.name} / ${task.name}: dense fine-tuning`);
      const teacher = output(join(taskDir, 'dense'), add('dense', await finetuneDense(dense, task, join(taskDir, 'dense'), context)));
      for (const { variant } of PRUNE_OFA_SPARSITIES) {
        say(`${model.name} / ${task.name}: sparse transfer at ${variant}%, then QAT`);
        const transferDir = join(taskDir, `sparse-${variant}`);
        const transferred = output(transferDir, add(variant, await sparseTransfer({ sparse: sparse.get(variant) as StageOutput, teacher, task, dir: transferDir, qat: false }, context)));
        add(`${variant}+qat`, await sparseTransfer({ sparse: transferred, teacher, task, dir: join(taskDir, `sparse-${variant}-qat`), qat: true }, context));
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const usedBackends = backendsOf(records, backend);
  const computeSeconds = stageSeconds(records);
  const withRatios = withRetention(rows);
  const taskNames = tasks.map((task) => task.name);
  const modelList = models.map(({ context: _context, pretrainedDir: _dir, ...spec }) => spec);
  const name = `prune-ofa-${settings.scale}`;
  const plots = pruneOfaPlots({ rows: withRatios, models: modelList, tasks: taskNames });
  const json = { benchmark: 'prune-ofa', scale: settings.scale, backend: usedBackends, seconds, stageSeconds: computeSeconds, seed: settings.seed, models: modelList, tasks: taskNames, rows: withRatios };
  const files = await writeResultFiles(settings.out, {
    [`${name}.json`]: `${JSON.stringify(json, null, 2)}\n`,
    [`${name}.md`]: formatPruneOfaMarkdown({ scale: settings.scale, rows: withRatios, models: modelList, tasks: taskNames, seconds, stageSeconds: computeSeconds, backend: usedBackends }),
    ...Object.fromEntries(Object.entries(plots).map(([task, svg]) => [`${name}-${task}.svg`, svg])),
  });
  say(`done in ${seconds.toFixed(0)} s: ${files.join(', ')}`);
  return { rows: withRatios, files, seconds };
}
