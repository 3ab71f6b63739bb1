import { relative, resolve } from 'node:path';
import type { CliIo, Command, OptionValues } from '../cli/command';
import { choiceOption, numberOption } from '../cli/parse-command-line';
import { UsageError } from '../errors/usage-error';
import { checkCheckpointOption } from './checkpoint-options';
import { LABEL_OPTIONS, labelTypingFromCommandLine } from './label-options';
import { checkRunOutputs, FORCE_OPTION, writeJsonRows } from './output-options';
import { initCliBackend } from '../pipeline/backend';
import { BUNDLE_LAYOUTS } from '../pipeline/bundles';
import type { OutputTarget } from '../pipeline/output-target';
import { formatReportTable, keptStepLine } from '../pipeline/report-table';
import { runTransfer, type TransferResult } from '../pipeline/transfer';
import type { TransferOptions } from '../pipeline/transfer-options';

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The {@link TransferOptions} of a `pofa transfer` command line, with {@link UsageError}s for
 * values out of range.
 *
 * @example
 * ```ts
 * transferOptionsFromCommandLine({ task: 'sst2', data: 'glue/SST-2', steps: '100' }, 'bert-base-90');
 * ```
 */
export function transferOptionsFromCommandLine(options: OptionValues, model: string): TransferOptions {
  if (options.int8 === true && options['no-int8'] === true) throw new UsageError('--int8 and --no-int8 contradict each other', { hint: 'Pass one of them' });
  const task = text(options.task);
  if (task === undefined) throw new UsageError('pofa transfer needs --task', { expected: '--task sst2 (with --data GLUE/SST-2), --task squad (with --data DIR), an embedded task or a .tsv/.jsonl file', hint: 'See pofa transfer --help' });
  const number = (name: string, settings: Parameters<typeof numberOption>[2]) => numberOption(options, name, settings);
  const batchSize = number('batch', { min: 1, max: 4096, integer: true });
  const microBatchSize = number('micro-batch', { min: 1, max: 4096, integer: true });
  if (batchSize !== undefined && microBatchSize !== undefined && batchSize % microBatchSize !== 0) {
    const divisors = Array.from({ length: batchSize }, (_, index) => index + 1).filter((divisor) => batchSize % divisor === 0);
    throw new UsageError(`--micro-batch ${microBatchSize} does not divide --batch ${batchSize}`, { expected: 'a divisor of the batch size (gradients of the micro-batches add up to one batch)', hint: `Pick one of ${divisors.slice(0, 12).join(', ')}` });
  }
  return {
    model,
    task,
    data: text(options.data),
    labels: labelTypingFromCommandLine(options),
    teacher: text(options.teacher),
    distillHidden: options['distill-hidden'] === true,
    out: text(options.out),
    steps: number('steps', { min: 1, integer: true }),
    epochs: number('epochs', { min: 0.001 }),
    qatEpochs: number('qat-epochs', { min: 0.001 }),
    batchSize,
    microBatchSize,
    learningRate: number('lr', { min: 1e-9, max: 1 }),
    qatLearningRate: number('qat-lr', { min: 1e-9, max: 1 }),
    maxLength: number('seq', { min: 8, max: 4096, integer: true }),
    int8: options['no-int8'] !== true,
    perChannel: options['per-channel'] === true,
    layout: choiceOption(options, 'layout', BUNDLE_LAYOUTS, 'csr'),
    maxEval: number('max-eval', { min: 1, integer: true }),
    seed: number('seed', { fallback: 42, integer: true }),
    resume: options.resume === true,
    json: text(options.json),
  };
}

/**
 * Prints a transfer: the pattern found, the stages' settings, the table and the time per stage;
 * writes the rows to `json`.
 *
 * @example
 * ```ts
 * await printTransferResult(await runTransfer(options, transferIo), io, await checkJsonOutput(options, io));
 * ```
 */
export async function printTransferResult(result: TransferResult, io: CliIo, json?: OutputTarget): Promise<void> {
  const percent = (value: number) => `${(100 * value).toFixed(2)}%`;
  io.stdout.write(`Pattern (the checkpoint's zeros): ${percent(result.pattern.overall)} of the encoder Linear weights; per layer ${result.pattern.layers.map(percent).join(' ')}\n`);
  const stage = (name: string, settings: TransferResult['stages']['transfer']) =>
    `${name} ${settings.steps} steps at lr ${settings.learningRate} batch ${settings.batchSize}${settings.microBatchSize !== undefined && settings.microBatchSize !== settings.batchSize ? ` (${settings.batchSize / settings.microBatchSize} passes of ${settings.microBatchSize})` : ''}`;
  io.stdout.write(`Stages: ${stage('transfer', result.stages.transfer)}${result.stages.quantize === undefined ? '' : `; ${stage('QAT', result.stages.quantize)}`}\n`);
  io.stdout.write(`\n${formatReportTable(result.rows)}`);
  if (result.kept !== undefined) io.stdout.write(`${keptStepLine(result.kept)}\n`);
  if (result.sparsityAfterQat !== undefined) io.stdout.write(`\nSparsity after QAT: ${percent(result.sparsityAfterQat)} (every zero of the checkpoint still zero)\n`);
  io.stdout.write(`Latency: the .pofa bundles on the sparse-kernels runtime (${result.kernels}), one batch of test examples, median of 10 runs\n`);
  io.stdout.write(`Time per stage: ${result.timings.map((timing) => `${timing.stage} ${timing.seconds.toFixed(1)} s${timing.reused ? ' (reused)' : ''}`).join('; ')}\n`);
  io.stdout.write(`Models, bundles, ONNX and checkpoints: ${result.outDir} (models.json lists them)\n`);
  if (json !== undefined) {
    await writeJsonRows(json, result.rows);
    io.stdout.write(`Rows written to ${relative(io.cwd, json.path) || json.path}\n`);
  }
}

/**
 * `pofa transfer MODEL --task TASK`: Prune Once for All's transfer of a sparse pre-trained
 * checkpoint to a task, with its pattern frozen, then int8.
 *
 * @example
 * ```ts
 * await runCli(['transfer', 'bert-base-90', '--task', 'sst2', '--data', 'glue/SST-2', '--steps', '50'], io, COMMANDS);
 * ```
 */
export const transferCommand: Command = {
  name: 'transfer',
  summary: 'Fine-tune a sparse pre-trained checkpoint on a task with its zeros frozen, then int8 (QAT)',
  usage: 'pofa transfer MODEL --task TASK [--data PATH] [--teacher DIR] [--steps N | --epochs E] [--batch N] [--lr X] [--seq N] [--no-int8] [--json FILE] [--resume]',
  description: [
    'MODEL is a Hugging Face directory (BERT or DistilBERT: config.json, model.safetensors or a sharded index,',
    'vocab.txt; F32, F16 or BF16), such as the Prune OFA checkpoints, or a pofa compress run folder. Its zeros',
    'in the encoder Linear weights are the pattern: fine-tuning (stage 1) and quantization-aware training to int8',
    '(stage 2) keep each of them exactly zero. --teacher DIR is a dense model fine-tuned on the task: its logits',
    'are distilled batch by batch (KL · T², T = 2, hard-label weight 0, as the paper\'s reference scripts).',
    'Defaults are the paper\'s: GLUE sequence 128, batch 32, lr 1e-4 for 9 epochs then QAT lr 1e-5 for 3 epochs.',
    'The run folder (--out) holds each stage\'s Hugging Face directory, .pofa bundle and ONNX model, and the table:',
    'dev metric on tfjs and on the bundle, sparsity, encoder size, latency. --resume continues an interrupted run.',
  ].join('\n'),
  options: {
    task: { type: 'string', value: 'TASK', description: 'A GLUE task with --data DIR (sst2, mnli, ...), an embedded task, or a .tsv/.jsonl file' },
    data: { type: 'string', value: 'PATH', description: 'The task folder (GLUE: train.tsv, dev.tsv)' },
    ...LABEL_OPTIONS,
    teacher: { type: 'string', value: 'DIR', description: 'A dense model fine-tuned on the task, distilled (optional)' },
    'distill-hidden': { type: 'boolean', description: 'With --teacher: also match hidden states (embeddings and each layer, MSE, TinyBERT style; a projection where widths differ)' },
    out: { type: 'string', short: 'o', value: 'DIR', description: 'Run folder', defaultText: 'pofa-transfer' },
    steps: { type: 'string', value: 'N', description: 'Cap on the steps of each stage (transfer, QAT)' },
    epochs: { type: 'string', value: 'E', description: 'Epochs of the transfer stage', defaultText: '9 (GLUE)' },
    'qat-epochs': { type: 'string', value: 'E', description: 'Epochs of the QAT stage', defaultText: '3 (GLUE)' },
    batch: { type: 'string', value: 'N', description: 'Batch size', defaultText: '32 (GLUE)' },
    'micro-batch': { type: 'string', value: 'N', description: 'Examples per forward/backward pass, a divisor of --batch (gradients accumulate)', defaultText: 'what fits 2048 tokens and 2 × 384² query-key pairs' },
    lr: { type: 'string', value: 'X', description: 'Peak learning rate of the transfer stage', defaultText: '1e-4 (GLUE)' },
    'qat-lr': { type: 'string', value: 'X', description: 'Peak learning rate of the QAT stage', defaultText: '1e-5' },
    seq: { type: 'string', value: 'N', description: 'Tokens per sequence', defaultText: '128 (GLUE)' },
    int8: { type: 'boolean', description: 'Quantization-aware training to int8 after the transfer (the default)' },
    'no-int8': { type: 'boolean', description: 'Stop after the transfer stage' },
    'per-channel': { type: 'boolean', description: 'QAT weight scales per output row (default: per tensor, as the Prune OFA code)' },
    layout: { type: 'string', value: 'L', description: `Packed layout of the sparse bundles: ${BUNDLE_LAYOUTS.join(', ')}`, defaultText: 'csr' },
    'max-eval': { type: 'string', value: 'N', description: 'Score at most N dev examples (a seeded sample)', defaultText: 'all' },
    seed: { type: 'string', value: 'N', description: 'Seed of every random choice', defaultText: '42' },
    resume: { type: 'boolean', description: 'Continue the interrupted run in --out' },
    json: { type: 'string', value: 'FILE', description: 'Also write the table as JSON rows (the keys of pofa compress --json)' },
    force: FORCE_OPTION,
  },
  positionals: [{ name: 'MODEL', required: true }],
  async run({ options, positionals }, io) {
    const settings = transferOptionsFromCommandLine(options, positionals[0]);
    const { json } = await checkRunOutputs(options, io, 'pofa-transfer', 'transfer');
    if (settings.teacher !== undefined) await checkCheckpointOption(resolve(io.cwd, settings.teacher), `--teacher ${settings.teacher}`, { taskHead: true });
    await initCliBackend();
    const result = await runTransfer(settings, { progress: io.stderr, env: io.env, cwd: io.cwd, signal: io.signal });
    await printTransferResult(result, io, json);
    return 0;
  },
};
