import { writeFileAtomic } from '@pofa/core';
import type { CliIo, Command } from '../cli/command';
import { formatTable } from '../cli/format-table';
import { numberOption } from '../cli/parse-command-line';
import { initCliBackend } from '../pipeline/backend';
import { runBench, type BenchReport } from '../reproduce/bench-latency';
import { benchModels } from '../reproduce/bench-models';
import { locateModel } from './model-source';
import { writeOutputFile } from '../pipeline/output-target';
import { checkJsonOutput, FORCE_OPTION } from './output-options';

/**
 * Prints a bench report as a table with the settings it was measured under.
 *
 * @example
 * ```ts
 * printBenchReport(report, io);
 * ```
 */
export function printBenchReport(report: BenchReport, io: CliIo): void {
  io.stdout.write(
    `${report.target}: batch ${report.batch} x ${report.seq} tokens; runtime kernels ${report.kernels}, ${report.threads} thread${report.threads === 1 ? '' : 's'}; ` +
      `tfjs backend ${report.backend}; median of ${report.iterations} runs after ${report.warmup} warm-up runs, the engines taking turns\n\n`,
  );
  const cells = report.rows.map((row) => [
    row.model, row.engine, row.layout, String(row.bits), `${(100 * row.sparsity).toFixed(2)}%`,
    row.msPerBatch.toFixed(2), row.tokensPerSecond.toFixed(0), `${row.speedup.toFixed(2)}x`,
  ]);
  io.stdout.write(formatTable(['model', 'engine', 'layout', 'bits', 'sparsity', 'ms/batch', 'tokens/s', 'speedup vs tfjs'], cells));
}

/**
 * `pofa bench TARGET`: inference latency of a run's bundles, a `.pofa` bundle or a Hugging Face
 * directory on the sparse-kernels runtime, beside the same model run densely by tfjs.
 *
 * @example
 * ```ts
 * await runCli(['bench', 'pofa-out', '--batch', '8', '--seq', '64', '--json', 'bench.json'], io, COMMANDS);
 * ```
 */
export const benchCommand: Command = {
  name: 'bench',
  exitOnSignal: true,
  summary: 'Inference latency of a run\'s bundles, a .pofa bundle or a Hugging Face directory, against tfjs',
  usage: 'pofa bench TARGET [--batch N] [--seq N] [--threads N] [--iterations N] [--json FILE]',
  description: [
    'TARGET is a finished pofa compress run folder (each of its .pofa bundles: dense, sparse, sparse-int8),',
    'a .pofa bundle, or a Hugging Face directory (written to a temporary bundle: CSR when at least half',
    'of its encoder Linear weights are zero, else dense). Each bundle runs on the sparse-kernels runtime,',
    'and the same model runs densely on the tfjs backend in use (the peer; for a run, its dense model),',
    'on one batch of --batch x --seq token ids, every position attended. The engines take turns run by',
    'run; each row gives the median ms per batch, tokens per second and the speedup over the tfjs peer.',
  ].join('\n'),
  options: {
    batch: { type: 'string', value: 'N', description: 'Sequences per batch', defaultText: '8' },
    seq: { type: 'string', value: 'N', description: 'Tokens per sequence', defaultText: "128, or the model's positions if fewer" },
    threads: { type: 'string', value: 'N', description: 'Threads of the native runtime kernels', defaultText: "the machine's cores" },
    iterations: { type: 'string', value: 'N', description: 'Timed runs per engine (after 3 warm-up runs)', defaultText: '20' },
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
      report = await runBench(models, { batch, iterations, ...(seq === undefined ? {} : { seq }), ...(threads === undefined ? {} : { threads }) }, positionals[0]);
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
