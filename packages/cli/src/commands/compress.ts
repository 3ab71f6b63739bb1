import { relative } from 'node:path';
import type { CliIo, Command, OptionValues } from '../cli/command';
import { choiceOption, numberOption } from '../cli/parse-command-line';
import { initCliBackend } from '../pipeline/backend';
import { runCompress, type CompressResult } from '../pipeline/compress';
import type { CompressOptions } from '../pipeline/compress-options';
import type { OutputTarget } from '../pipeline/output-target';
import { formatReportTable, keptStepLine } from '../pipeline/report-table';
import { SCALE_NAMES } from '../pipeline/scales';
import { PATTERNS } from '../pipeline/prune-ofa-recipe';
import { UsageError } from '../errors/usage-error';
import { LABEL_OPTIONS, labelTypingFromCommandLine } from './label-options';
import { checkRunCheckpoints } from './checkpoint-options';
import { checkCacheFolder, checkRunOutputs, FORCE_OPTION, writeJsonRows } from './output-options';
import { runCompressSweep } from './compress-sweep';
import { SWEEP_KEYS } from '../sweep/sweep-spec';

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * `pofa compress`: the whole Prune OFA pipeline; with no options, the embedded default.
 *
 * @example
 * ```ts
 * await runCli(['compress', '--scale', 'test', '--json', 'rows.json'], io, COMMANDS);
 * ```
 */
export const compressCommand: Command = {
  name: 'compress',
  summary: 'Sparse pre-train, transfer, quantize and evaluate (no options: the embedded default end to end)',
  usage: 'pofa compress [--task TASK] [--sparsity S] [--pattern P] [--sweep KEY=V1,V2 ...] [--json FILE] [--resume] [...]',
  description: [
    'Runs Prune Once for All end to end: a WordPiece vocabulary and a dense teacher pre-trained on the',
    'embedded corpus (cached), the teacher fine-tuned on the task (cached), sparse pre-training with',
    'distillation and cubic gradual magnitude pruning, sparse transfer with pattern lock and task',
    'distillation, quantization-aware training to int8, .pofa bundles of the dense, sparse and',
    'sparse+int8 models, and a table: the test metric (tfjs model and bundle runtime), the sparsity,',
    'the encoder size (nominal and on disk), the latency on the sparse-kernels runtime and the speedup.',
    'With --task squad --data DIR (train-v1.1.json, dev-v1.1.json) the teacher and the student get a span head,',
    'train on SQuAD windows of the scale\'s sequence length with the teacher\'s start/end logits distilled, and the',
    'table holds the official F1 (EM and each stage\'s predictions.json under --out/predictions/<stage>/).',
    'Stages are saved in --out, and --resume continues an interrupted run (Ctrl-C keeps the last checkpoint).',
    'With --sweep KEY=V1,V2 (repeated per key, or one YAML/JSON file mapping keys to lists) it runs every',
    'combination, each cell in --out/<cell> (e.g. pofa-out/sparsity=0.9,pattern=4x1/); the vocabulary and the',
    'teacher (pre-trained and fine-tuned) are made once in the cache and reused by every cell with the same seed;',
    'it prints one table per cell and writes all rows, each with its cell\'s values, to --json. With --queue',
    'redis://HOST:PORT the cells run on `pofa worker`s (a teacher stage per seed first, then the cells), with',
    '--out, --cache (default --out/cache) and the working folder on a file system every worker sees.',
  ].join('\n'),
  options: {
    model: { type: 'string', value: 'MODEL', description: 'A preset (bert-tiny, bert-mini, ...) or a Hugging Face directory with vocab.txt', defaultText: 'a small BERT of the --scale' },
    task: { type: 'string', value: 'TASK', description: 'spam, sotu-party, sotu-year, sotu-pair; a GLUE task or squad with --data DIR; or a .tsv/.jsonl file', defaultText: 'spam' },
    data: { type: 'string', value: 'PATH', description: 'The GLUE task folder (train.tsv, dev.tsv) or the SQuAD v1.1 folder (train-v1.1.json, dev-v1.1.json)' },
    ...LABEL_OPTIONS,
    sparsity: { type: 'string', value: 'S', description: 'Target sparsity of the encoder Linear weights, in [0, 1)', defaultText: '0.9' },
    pattern: { type: 'string', value: 'P', description: `Sparsity pattern: ${PATTERNS.join(', ')} (2:4 fixes 50%)`, defaultText: 'unstructured' },
    int8: { type: 'boolean', description: 'Quantization-aware training of the sparse model to int8 (the default)' },
    'no-int8': { type: 'boolean', description: 'Skip int8' },
    'per-channel': { type: 'boolean', description: 'QAT weight scales per output row (default: per tensor, as the Prune OFA code)' },
    recipe: { type: 'string', value: 'FILE', description: 'A YAML/JSON recipe whose modifiers replace the default pruning of sparse pre-training' },
    teacher: { type: 'string', value: 'DIR', description: 'A fine-tuned dense teacher for the task (skips teacher fine-tuning)' },
    out: { type: 'string', short: 'o', value: 'DIR', description: 'Run folder (stages, checkpoints, models)', defaultText: 'pofa-out' },
    seed: { type: 'string', value: 'N', description: 'Seed of every random choice', defaultText: '0' },
    resume: { type: 'boolean', description: 'Continue the interrupted run in --out' },
    json: { type: 'string', value: 'FILE', description: 'Also write the table as JSON rows' },
    cache: { type: 'string', value: 'DIR', description: 'Cache of vocabularies and teachers', defaultText: '$POFA_CACHE or ~/.cache/pofa' },
    scale: { type: 'string', value: 'NAME', description: `Sizes and steps: ${SCALE_NAMES.join(', ')}`, defaultText: 'default' },
    queue: { type: 'string', value: 'URL', description: 'With --sweep: run the cells on pofa workers through Redis (redis://HOST:PORT); --out (and --cache) on a folder every worker sees', defaultText: 'in this process' },
    sweep: { type: 'string', value: 'KEY=V1,V2|FILE', multiple: true, description: `Run every combination of the values (repeat per key; keys ${SWEEP_KEYS.join(', ')}), or of a YAML/JSON file's; each cell in --out/<cell>, one table` },
    force: FORCE_OPTION,
  },
  async run({ options, lists }, io) {
    if (options.sweep !== undefined) return runCompressSweep(options, lists?.sweep ?? [String(options.sweep)], io);
    if (options.queue !== undefined) throw new UsageError('--queue runs the cells of a --sweep', { hint: 'Add --sweep KEY=V1,V2, or drop --queue to run one compress here' });
    const settings = compressOptionsFromCommandLine(options);
    const { json } = await checkRunOutputs(options, io, 'pofa-out', 'compress');
    await checkCacheFolder(options, io);
    await checkRunCheckpoints(settings, io);
    await initCliBackend();
    const result = await runCompress(settings, { progress: io.stderr, env: io.env, cwd: io.cwd, signal: io.signal });
    await printCompressResult(result, io, json);
    return 0;
  },
};

/**
 * The {@link CompressOptions} of a `pofa compress` command line (also `pofa pretrain`'s), with
 * {@link UsageError}s for values out of range.
 *
 * @example
 * ```ts
 * compressOptionsFromCommandLine({ sparsity: '0.8', pattern: '4x1' }); // { sparsity: 0.8, pattern: '4x1', int8: true, ... }
 * ```
 */
export function compressOptionsFromCommandLine(options: OptionValues): CompressOptions {
  if (options.int8 === true && options['no-int8'] === true) throw new UsageError('--int8 and --no-int8 contradict each other', { hint: 'Pass one of them' });
  const sparsity = numberOption(options, 'sparsity', { fallback: 0.9, min: 0, max: 0.999 });
  const pattern = choiceOption(options, 'pattern', PATTERNS, 'unstructured');
  if (pattern === '2:4' && options.sparsity !== undefined && sparsity !== 0.5) {
    throw new UsageError(`--sparsity ${String(options.sparsity)} contradicts --pattern 2:4`, { expected: 'no --sparsity (or 0.5): 2:4 keeps 2 weights of every 4, 50%', hint: 'Drop --sparsity, or pick --pattern unstructured or 4x1 for another sparsity' });
  }
  return {
    model: text(options.model),
    task: text(options.task),
    data: text(options.data),
    labels: labelTypingFromCommandLine(options),
    sparsity,
    pattern,
    int8: options['no-int8'] !== true,
    perChannel: options['per-channel'] === true,
    recipe: text(options.recipe),
    teacher: text(options.teacher),
    out: text(options.out),
    seed: numberOption(options, 'seed', { fallback: 0, integer: true }),
    resume: options.resume === true,
    cache: text(options.cache),
    scale: choiceOption(options, 'scale', SCALE_NAMES, 'default'),
  };
}

/**
 * Prints what a compress run (or a stage command) did: the table, the sparsity before and after
 * QAT, the int8 scheme, the latency setup and the time per stage; writes the rows to `json`
 * (checked before the run by `checkRunOutputs`).
 *
 * @example
 * ```ts
 * const { json } = await checkRunOutputs(options, io, 'pofa-out', 'compress');
 * await printCompressResult(await runCompress(settings, compressIo), io, json);
 * ```
 */
export async function printCompressResult(result: CompressResult, io: CliIo, json?: OutputTarget): Promise<void> {
  const times = `Time per stage: ${result.timings.map((timing) => `${timing.stage} ${timing.seconds.toFixed(1)} s${timing.reused ? ' (reused)' : ''}`).join('; ')}\n`;
  if (result.stoppedAfter !== undefined) {
    io.stdout.write(times);
    io.stdout.write(`Stopped after ${result.stoppedAfter}; the run in ${result.outDir} continues with the next stage command (or pofa compress --resume)\n`);
    return;
  }
  io.stdout.write(`\n${formatReportTable(result.rows)}`);
  if (result.teacherKept !== undefined) io.stdout.write(`${keptStepLine(result.teacherKept, 'Teacher fine-tuning')}\n`);
  if (result.kept !== undefined) io.stdout.write(`${keptStepLine(result.kept)}\n`);
  io.stdout.write(`\nMeasured sparsity of the encoder Linear weights: ${(100 * (result.sparsity ?? 0)).toFixed(2)}%`);
  io.stdout.write(result.sparsityAfterQat === undefined ? '\n' : ` (after QAT: ${(100 * result.sparsityAfterQat).toFixed(2)}%, every pruned weight still zero)\n`);
  if (result.int8Method !== undefined) io.stdout.write(`int8: ${result.int8Method}\n`);
  io.stdout.write(`Latency: the .pofa bundles on the sparse-kernels runtime (${result.kernels ?? 'unknown kernels'}), one batch of test examples, median of 20 runs\n`);
  io.stdout.write(times);
  if (result.predictionsDir !== undefined) io.stdout.write(`SQuAD answers (official format) and EM/F1 per stage: ${result.predictionsDir}/<stage>/predictions.json, metrics.json\n`);
  io.stdout.write(`Models, bundles and checkpoints: ${result.outDir} (models.json lists them)\n`);
  if (json !== undefined) {
    await writeJsonRows(json, result.rows);
    io.stdout.write(`Rows written to ${relative(io.cwd, json.path) || json.path}\n`);
  }
}
