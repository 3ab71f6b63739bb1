import { basename, extname, resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import { createWordPieceTokenizer, loadPretrained, readCheckpointVocab, type EncoderModel } from '@pofa/models';
import { createEncoderRuntime, loadBundle, readBundle, type Bundle } from '@pofa/sparse-kernels';
import { loadAnyRunTask, mismatchedTask, type SpanRunTask, type RunTask, type LabelTyping } from '@pofa/tasks';
import type { Command } from '../cli/command';
import { formatTable } from '../cli/format-table';
import { choiceOption, numberOption } from '../cli/parse-command-line';
import { initCliBackend } from '../pipeline/backend';
import { evaluateModel } from '../pipeline/measure';
import { evaluateRuntime } from '../pipeline/runtime';
import { SCALE_NAMES, SCALES, type ScaleName } from '../pipeline/scales';
import { evaluateSquadModel, evaluateSquadRuntime, writeSquadPredictions, type SquadEvaluation } from '../pipeline/squad-evaluation';
import { prepareSquadTokenizer } from '../pipeline/squad-tokenizer';
import type { SpanWindowOptions } from '../pipeline/span-training';
import { PAPER_TRANSFER } from '../pipeline/prune-ofa-recipe';
import { UsageError } from '../errors/usage-error';
import { prepareEncoder } from '../pipeline/text-encoder';
import { locateModel, type ModelLocation } from './model-source';
import { checkOutputTarget, writeOutputFile } from '../pipeline/output-target';
import { LABEL_OPTIONS, labelTypingFromCommandLine } from './label-options';
import { checkJsonOutput } from './output-options';

/** One scored model of `pofa eval`. */
export interface EvalRow {
  /** The bundle or directory scored. */
  model: string;
  /** `runtime`: the `.pofa` bundle on the sparse-kernels runtime; `tfjs`: the model in @pofa/models. */
  engine: 'runtime' | 'tfjs';
  task: string;
  split: 'validation' | 'test';
  metric: string;
  value: number;
  metrics: Record<string, number>;
  examples: number;
}

/** What to score on; a run folder fills what is not given from its own settings. */
export interface EvalOptions {
  task?: string;
  data?: string;
  split: 'validation' | 'test';
  /** The scale whose example limits split the task (default: the run's, else `default`). */
  scale?: ScaleName;
  seed?: number;
  batchSize?: number;
  /** How the labels of a user `.tsv`/`.jsonl` task are typed (default: the run's, else integers are classes). */
  labels?: LabelTyping;
  /** Receives each scored model's SQuAD answers (question id → text). */
  onPredictions?: (model: string, predictions: Record<string, string>) => void;
}

/**
 * Scores a model on a task split: every bundle of a finished run (on the sparse-kernels runtime),
 * a `.pofa` bundle (runtime, its embedded vocabulary), or a Hugging Face directory (tfjs, its
 * `vocab.txt`). The task's splits are drawn as `pofa compress` draws them (same seed and scale →
 * the same test examples).
 *
 * @example
 * ```ts
 * const rows = await evaluateLocation(await locateModel('model.pofa', cwd), { task: 'spam', split: 'test' }, cwd);
 * ```
 */
export async function evaluateLocation(location: ModelLocation, options: EvalOptions, cwd: string): Promise<EvalRow[]> {
  // A missing or mismatched vocab.txt fails before the task and the weights are read.
  const checkpointVocab = location.kind === 'huggingface' ? await readCheckpointVocab(location.dir, { required: true, purpose: 'tokenize the task\'s text' }) : undefined;
  const settings = location.kind === 'run' ? location.settings : undefined;
  const taskName = options.task ?? settings?.task ?? 'spam';
  const scale = SCALES[options.scale ?? settings?.scale ?? 'default'];
  const data = options.data ?? (options.task === undefined ? settings?.data : undefined);
  // SQuAD is scored on the whole dev file, as the official script does; other tasks on compress's split.
  const all = { train: Number.POSITIVE_INFINITY, validation: Number.POSITIVE_INFINITY, test: Number.POSITIVE_INFINITY };
  const labels = options.labels ?? (options.task === undefined ? settings?.labels : undefined);
  const anyTask = await loadAnyRunTask(taskName, data, { seed: options.seed ?? settings?.seed ?? 0, limits: taskName === 'squad' ? all : scale.taskExamples, cwd, ...(labels === undefined ? {} : { labels }) });
  if (anyTask.kind === 'span') return evaluateSpanLocation(location, anyTask, checkpointVocab, options);
  // MNLI's mismatched dev set is scored too, as rows of glue/mnli-mm (the matched rows come first).
  const mismatched = options.split === 'test' ? mismatchedTask(anyTask) : undefined;
  if (mismatched === undefined) return evaluateClassificationLocation(location, anyTask, checkpointVocab, options, scale);
  return [
    ...(await evaluateClassificationLocation(location, anyTask, checkpointVocab, options, scale)),
    ...(await evaluateClassificationLocation(location, mismatched, checkpointVocab, options, scale)),
  ];
}

/** `evaluateLocation` for a classification or regression task. */
async function evaluateClassificationLocation(location: ModelLocation, task: RunTask, checkpointVocab: string[] | undefined, options: EvalOptions, scale: (typeof SCALES)[ScaleName]): Promise<EvalRow[]> {
  const batchSize = options.batchSize ?? 2 * scale.batchSize;
  const rows: EvalRow[] = [];
  const examples = task[options.split];
  const row = (model: string, engine: EvalRow['engine'], result: Awaited<ReturnType<typeof evaluateModel>>): EvalRow => ({
    model, engine, task: task.name, split: options.split, metric: result.primaryMetric, value: result.primary, metrics: result.metrics, examples: result.numExamples,
  });
  if (location.kind === 'huggingface') {
    const vocab = checkpointVocab as string[];
    const { model } = await loadPretrained(location.dir);
    try {
      checkClassificationHead(model, task, location.dir);
      const encoder = await prepareEncoder(vocab, examples, Math.min(512, Number(model.config.max_position_embeddings)));
      rows.push(row(location.dir, 'tfjs', await evaluateModel(model, task, options.split, encoder, batchSize)));
    } finally {
      model.dispose();
    }
    return rows;
  }
  const paths = location.kind === 'bundle' ? [location.path] : Object.values(location.models.bundles).map((path) => resolve(location.dir, path));
  for (const path of paths) {
    const runtime = await loadBundle(path);
    if (runtime.vocab === undefined) {
      throw new ConfigError(`${path} has no tokenizer vocabulary`, { expected: 'a bundle exported with its vocabulary', received: 'none', hint: 'Export it with pofa export --format pofa (which embeds the vocabulary)' });
    }
    checkHead(runtime.config.task, runtime.config.numLabels, task, path, location.kind === 'run' ? `Drop --task to score the run's own task (${location.settings.task ?? 'spam'})` : 'Export the bundle from a model fine-tuned on the task: pofa transfer, then pofa export --format pofa');
    const encoder = await prepareEncoder(runtime.vocab, examples, Math.min(512, runtime.config.maxPositions));
    rows.push(row(path, 'runtime', await evaluateRuntime(runtime, task, options.split, encoder, batchSize)));
  }
  return rows;
}

/** A checkpoint whose head cannot answer the task (none, another kind, another class count) says so, and what adds one. */
function checkClassificationHead(model: EncoderModel, task: RunTask, dir: string): void {
  const fine = `Fine-tune it on the task first: pofa transfer ${dir} --task ${task.name.replace(/^(glue\/|file:)/, '')}`;
  checkHead(model.task, Number(model.config.num_labels), task, dir, fine);
}

/** `checkClassificationHead` for the head of model `source` (`modelTask`, `labels` outputs); `fix` is the hint. */
function checkHead(modelTask: string, labels: number, task: RunTask, source: string, fix: string): void {
  const outputs = task.regression ? 1 : task.labels.length;
  const wanted = task.regression ? 'a regression head (1 output)' : `a classification head with ${outputs} classes (${task.labels.join(', ')})`;
  if (modelTask !== 'sequence-classification') {
    throw new ConfigError(`${source} has no head for ${task.name}`, { expected: wanted, received: `a ${modelTask} model`, hint: fix });
  }
  if (Number.isFinite(labels) && labels !== outputs) {
    throw new ConfigError(`The head of ${source} does not fit ${task.name}`, { expected: wanted, received: `${labels} output${labels === 1 ? '' : 's'}`, hint: `Evaluate it on the task it was trained for, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}` });
  }
}

/** SQuAD windows of `pofa eval` for a checkpoint: the paper's 384 tokens (fewer where the model has fewer positions), stride 128. */
const squadWindows = (maxPositions: number): SpanWindowOptions & { maxLength: number } => ({ maxLength: Math.min(PAPER_TRANSFER.span.maxLength, maxPositions), docStride: PAPER_TRANSFER.span.docStride ?? 128 });

/** The windows a bundle was evaluated with when it records them (written by compress, transfer and export), else {@link squadWindows}. */
function bundleSquadWindows(bundle: Bundle): SpanWindowOptions & { maxLength: number } {
  if (bundle.task?.kind !== 'span' || bundle.tokenizer === undefined) return squadWindows(bundle.config.maxPositions);
  return { maxLength: bundle.tokenizer.maxLength, docStride: bundle.task.docStride, maxQueryLength: bundle.task.maxQueryLength };
}

/** `evaluateLocation` for SQuAD: exact match and F1 of the official v1.1 script; `predictions` receives each model's answers. */
async function evaluateSpanLocation(location: ModelLocation, task: SpanRunTask, checkpointVocab: string[] | undefined, options: EvalOptions): Promise<EvalRow[]> {
  const examples = task[options.split];
  const batchSize = options.batchSize ?? 16;
  const row = (model: string, engine: EvalRow['engine'], result: SquadEvaluation): EvalRow => {
    options.onPredictions?.(model, result.predictions);
    return { model, engine, task: task.name, split: options.split, metric: 'f1', value: result.f1, metrics: result.metrics, examples: result.numExamples };
  };
  const tokenizerOf = async (vocab: string[], maxLength: number) => prepareSquadTokenizer(await createWordPieceTokenizer({ vocab, maxLength }), examples);
  if (location.kind === 'huggingface') {
    const { model } = await loadPretrained(location.dir);
    try {
      const windows = squadWindows(Number(model.config.max_position_embeddings));
      const tokenizer = await tokenizerOf(checkpointVocab as string[], windows.maxLength);
      return [row(location.dir, 'tfjs', await evaluateSquadModel(model, examples, tokenizer, { ...windows, batchSize }))];
    } finally {
      model.dispose();
    }
  }
  const rows: EvalRow[] = [];
  const paths = location.kind === 'bundle' ? [location.path] : Object.values(location.models.bundles).map((path) => resolve(location.dir, path));
  for (const path of paths) {
    const bundle = await readBundle(path);
    const runtime = createEncoderRuntime(bundle);
    if (runtime.vocab === undefined) {
      throw new ConfigError(`${path} has no tokenizer vocabulary`, { expected: 'a bundle exported with its vocabulary', received: 'none', hint: 'Export it with pofa export --format pofa (which embeds the vocabulary)' });
    }
    const windows = bundleSquadWindows(bundle);
    rows.push(row(path, 'runtime', await evaluateSquadRuntime(runtime, examples, await tokenizerOf(runtime.vocab, windows.maxLength), { ...windows, batchSize })));
  }
  return rows;
}

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * `pofa eval SOURCE`: the metric of a run's bundles, a `.pofa` bundle or a Hugging Face directory on a task.
 *
 * @example
 * ```ts
 * await runCli(['eval', 'pofa-out/bundles/sparse-int8.pofa', '--task', 'spam'], io, COMMANDS);
 * ```
 */
export const evalCommand: Command = {
  name: 'eval',
  exitOnSignal: true,
  summary: 'Score a run\'s bundles, a .pofa bundle or a Hugging Face directory on a task',
  usage: 'pofa eval SOURCE [--task TASK] [--data PATH] [--split test|validation] [--json]',
  description: [
    'SOURCE is a finished pofa compress run folder (each of its .pofa bundles is scored on the',
    'sparse-kernels runtime, on the run\'s task and test split), a .pofa bundle (runtime), or a Hugging',
    'Face directory with vocab.txt (tfjs). The task is split as pofa compress splits it: --scale and --seed',
    '(a run folder: its own) give the same test examples as the run that made the model.',
  ].join('\n'),
  options: {
    task: { type: 'string', value: 'TASK', description: 'An embedded task, a GLUE task with --data, squad with --data, or a .tsv/.jsonl file', defaultText: "the run's task, else spam" },
    data: { type: 'string', value: 'PATH', description: 'The GLUE task folder, the SQuAD folder (or dev-v1.1.json), or a data file' },
    ...LABEL_OPTIONS,
    split: { type: 'string', value: 'SPLIT', description: 'test or validation', defaultText: 'test' },
    scale: { type: 'string', value: 'NAME', description: `The scale that sized the task's splits: ${SCALE_NAMES.join(', ')}`, defaultText: "the run's, else default" },
    seed: { type: 'string', value: 'N', description: 'The seed that drew the splits', defaultText: "the run's, else 0" },
    'batch-size': { type: 'string', value: 'N', description: 'Examples per forward pass', defaultText: 'twice the scale\'s batch size' },
    json: { type: 'boolean', description: 'Print JSON rows instead of a table' },
    predictions: { type: 'string', value: 'FILE', description: 'SQuAD: write the answers as the official predictions.json (one model: FILE; several: FILE with the bundle name before .json)' },
    force: { type: 'boolean', description: 'Replace an existing --predictions file' },
  },
  positionals: [{ name: 'SOURCE', required: true }],
  async run({ options, positionals }, io) {
    const split = choiceOption(options, 'split', ['test', 'validation'] as const, 'test');
    const scale = options.scale === undefined ? undefined : choiceOption(options, 'scale', SCALE_NAMES, 'default');
    const seed = numberOption(options, 'seed', { integer: true });
    const batchSize = numberOption(options, 'batch-size', { min: 1, integer: true });
    const labels = labelTypingFromCommandLine(options);
    const location = await locateModel(positionals[0], io.cwd);
    const predictionsTarget = await checkJsonOutput(options, io, 'predictions');
    await initCliBackend();
    const task = text(options.task);
    const data = text(options.data);
    const predictionsFile = text(options.predictions);
    const answers: Array<{ model: string; predictions: Record<string, string> }> = [];
    const rows = await evaluateLocation(location, {
      split, ...(task === undefined ? {} : { task }), ...(data === undefined ? {} : { data }), ...(scale === undefined ? {} : { scale }),
      ...(seed === undefined ? {} : { seed }), ...(batchSize === undefined ? {} : { batchSize }), ...(labels === undefined ? {} : { labels }),
      onPredictions: (model, predictions) => answers.push({ model, predictions }),
    }, io.cwd);
    if (predictionsFile !== undefined) {
      if (answers.length === 0) throw new UsageError('--predictions applies to --task squad only', { hint: 'Drop --predictions, or score a span question-answering model on --task squad' });
      const target = resolve(io.cwd, predictionsFile);
      for (const { model, predictions } of answers) {
        const path = answers.length === 1 ? target : target.replace(/(\.json)?$/, `.${basename(model, extname(model))}.json`);
        const output = answers.length === 1 && predictionsTarget !== undefined ? predictionsTarget : await checkOutputTarget(path, { kind: 'file', force: options.force === true });
        await writeOutputFile(output, (file) => writeSquadPredictions(file, predictions));
        io.stderr.write(`pofa: predictions of ${model} written to ${path}\n`);
      }
    }
    if (options.json === true) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const cells = rows.map((item) => [item.model, item.engine, item.task, item.split, item.metric, item.value.toFixed(4), String(item.examples)]);
    io.stdout.write(formatTable(['model', 'engine', 'task', 'split', 'metric', 'value', 'examples'], cells));
    return 0;
  },
};
