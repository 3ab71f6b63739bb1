import { writeFileAtomic } from '@pofa/core';
import type { CliIo, Command } from '../cli/command';
import { formatTable } from '../cli/format-table';
import { numberOption } from '../cli/parse-command-line';
import { initCliBackend } from '../pipeline/backend';
import type { OutputCheck } from '../reproduce/bench-engines';
import { runBench, type BenchReport, type BenchRow } from '../reproduce/bench-latency';
import { benchModels } from '../reproduce/bench-models';
import { locateModel } from './model-source';
import { writeOutputFile } from '../pipeline/output-target';
import { checkJsonOutput, FORCE_OPTION } from './output-options';

const fixed = (value: number | null, digits: number, suffix = ''): string => (value === null ? '—' : `${value.toFixed(digits)}${suffix}`);

function checkCell(row: BenchRow): string {
  if (row.check === null) return row.engine === 'onnxruntime' && row.bits === 32 ? 'reference' : '—';
  return `${row.check.agrees ? 'ok' : 'DISAGREES'} ${row.check.maxDifference.toExponential(1)}`;
}

/**
 * Prints a bench report: the settings and machine load it was measured under, one table row per
 * engine, which engines were not timed and why, and how memory was measured.
 *
 * @example
 * ```ts
 * printBenchReport(report, io);
 * ```
 */
export function printBenchReport(report: BenchReport, io: CliIo): void {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const engines = [`pofa runtime kernels ${report.kernels}`];
  if (report.onnxruntime !== null) engines.push(`onnxruntime-node ${report.onnxruntime.version} (intra-op ${report.onnxruntime.intraOpNumThreads}, inter-op ${report.onnxruntime.interOpNumThreads})`);
  if (report.backend !== null) engines.push(`tfjs backend ${report.backend}`);
  const { start, end, cores } = report.loadAverage;
  const busy = Math.max(start[0], end[0]) > 0.5 * cores;
  io.stdout.write(
    `${report.target}: batch ${report.batch} x ${report.seq} tokens, ${plural(report.threads, 'thread')}: ${engines.join('; ')}.\n` +
      `Median of ${plural(report.iterations, 'round')} after ${plural(report.warmup, 'warm-up round')}; each round the engines take turns: ${report.order.join(', ')}. Speedups are medians of per-round ratios.\n` +
      `Load average (1 minute, ${plural(cores, 'core')}): ${start[0].toFixed(2)} at start, ${end[0].toFixed(2)} at end${busy ? ' - the machine was busy: timings are noisy, rerun on a quiet machine' : ''}.\n\n`,
  );
  const cells = report.rows.map((row) => [
    row.model, row.engine, row.layout, String(row.bits), `${(100 * row.sparsity).toFixed(2)}%`,
    fixed(row.msPerBatch, 2), fixed(row.tokensPerSecond, 0), fixed(row.speedupOverOrtFp32, 2, 'x'), fixed(row.speedupOverOrtInt8, 2, 'x'), fixed(row.speedupOverTfjs, 2, 'x'),
    row.memoryMb.toFixed(row.memoryMb < 10 ? 1 : 0), checkCell(row),
  ]);
  io.stdout.write(formatTable(['model', 'engine', 'layout', 'bits', 'sparsity', 'ms/batch', 'tokens/s', 'vs ORT fp32', 'vs ORT int8', 'vs tfjs', 'memory MB', 'check'], cells));
  const notes = ['', 'check: the largest difference of the outputs on the batch from the reference (the onnxruntime fp32 model of the same weights), within 1e-3 (fp32) or 0.1 (int8) of the largest output.'];
  for (const row of report.rows.filter(({ check }) => check !== null && !check.agrees)) {
    const check = row.check as OutputCheck;
    notes.push(`Not timed: ${row.model} on ${row.engine} (${row.bits} bits) differs from ${check.reference} by up to ${check.maxDifference.toPrecision(3)} (tolerance ${check.tolerance.toPrecision(3)}).`);
  }
  const waited = report.rows.filter((row) => row.idleWaitMs !== null);
  if (waited.length > 0) {
    notes.push(
      "idle wait: before each run the process waited, untimed, until its threads were idle (onnxruntime's workers spin for a while after a run and would take the cores from the next engine); " +
        `median waits before each engine's runs: ${waited.map((row) => `${row.engine}${row.engine === 'onnxruntime' ? ` ${row.bits === 8 ? 'int8' : 'fp32'}` : ''} ${(row.idleWaitMs as number).toFixed(0)} ms`).join(', ')}.`,
    );
  }
  notes.push(
    "memory MB: growth of the process's resident set from before an engine was made to after its first batch, garbage collected before each reading, so native memory counts " +
      "(onnxruntime's weights, their pre-packed copies and its arena; the kernels' buffers; a WebAssembly heap); the pofa runtime's rows add their bundle's arrays, read before. " +
      `Peak resident set of the process: ${report.peakRssMb.toFixed(0)} MB.`,
  );
  io.stdout.write(`${notes.join('\n')}\n`);
}

/**
 * `pofa bench TARGET`: inference latency of a run's bundles, a `.pofa` bundle or a Hugging Face
 * directory on the sparse-kernels runtime, beside the same model on onnxruntime-node (fp32, and
 * dynamic int8 for int8 bundles) and run densely by tfjs, the engines taking turns each round.
 *
 * @example
 * ```ts
 * await runCli(['bench', 'pofa-out', '--batch', '8', '--seq', '64', '--json', 'bench.json'], io, COMMANDS);
 * ```
 */
export const benchCommand: Command = {
  name: 'bench',
  exitOnSignal: true,
  summary: 'Inference latency of a run\'s bundles, a .pofa bundle or a Hugging Face directory, against onnxruntime and tfjs',
  usage: 'pofa bench TARGET [--batch N] [--seq N] [--threads N] [--iterations N] [--no-ort] [--no-tfjs] [--json FILE]',
  description: [
    'TARGET is a finished pofa compress run folder (each of its .pofa bundles: dense, sparse, sparse-int8),',
    'a .pofa bundle, or a Hugging Face directory (written to a temporary bundle: CSR when at least half',
    'of its encoder Linear weights are zero, else dense). Each bundle runs on the sparse-kernels runtime;',
    'the peer model (a run\'s dense bundle, else the bundle) is exported from the bundle\'s weights to ONNX',
    'and runs on onnxruntime-node in fp32, each int8 bundle\'s weights also in onnxruntime\'s dynamic int8,',
    'and the peer runs densely on the tfjs backend in use; all in this process, with --threads threads',
    '(onnxruntime: intra-op --threads, inter-op 1), on one batch of --batch x --seq token ids, every',
    'position attended. Before timing, each engine\'s outputs on the batch are compared with the',
    'onnxruntime fp32 model of the same weights; one that disagrees is reported and not timed. Then the',
    'engines take turns round by round, each timed run starting once the process\'s threads are idle (onnxruntime\'s',
    'workers spin on after a run) and right after an untimed run of the same engine (threads awake, caches',
    'warm). Rows give the median ms per batch, tokens per second, speedups',
    'over onnxruntime fp32, onnxruntime int8 (int8 rows) and tfjs (medians of per-round ratios), and the',
    'memory each engine added; the header gives the load average at start and end.',
  ].join('\n'),
  options: {
    batch: { type: 'string', value: 'N', description: 'Sequences per batch', defaultText: '8' },
    seq: { type: 'string', value: 'N', description: 'Tokens per sequence', defaultText: "128, or the model's positions if fewer" },
    threads: { type: 'string', value: 'N', description: 'Threads of the runtime kernels and of onnxruntime (intra-op)', defaultText: "the machine's cores" },
    iterations: { type: 'string', value: 'N', description: 'Timed rounds, each engine once per round (after 3 warm-up rounds)', defaultText: '20' },
    'no-ort': { type: 'boolean', description: 'Skip onnxruntime-node' },
    'no-tfjs': { type: 'boolean', description: 'Skip tfjs (slow at BERT-Base sizes)' },
    json: { type: 'string', value: 'FILE', description: 'Also write the report as JSON' },
    force: FORCE_OPTION,
  },
  positionals: [{ name: 'TARGET', required: true }],
  async run({ options, positionals }, io) {
    const batch = numberOption(options, 'batch', { fallback: 8, min: 1, max: 4096, integer: true }) as number;
    const seq = numberOption(options, 'seq', { min: 1, max: 65536, integer: true });
    const threads = numberOption(options, 'threads', { min: 1, max: 1024, integer: true });
    const iterations = numberOption(options, 'iterations', { fallback: 20, min: 1, max: 100_000, integer: true }) as number;
    const json = await checkJsonOutput(options, io);
    const location = await locateModel(positionals[0], io.cwd);
    await initCliBackend();
    const models = await benchModels(location);
    let report: BenchReport;
    try {
      const peers = { ort: options['no-ort'] !== true, tfjs: options['no-tfjs'] !== true };
      report = await runBench(models, { batch, iterations, ...peers, ...(seq === undefined ? {} : { seq }), ...(threads === undefined ? {} : { threads }) }, positionals[0]);
    } finally {
      await models.dispose();
    }
    printBenchReport(report, io);
    if (json !== undefined) {
      const text = `${JSON.stringify(report, null, 2)}\n`;
      await writeOutputFile(json, (file) => writeFileAtomic(file, text));
      io.stdout.write(`Report written to ${options.json}\n`);
    }
    return 0;
  },
};
