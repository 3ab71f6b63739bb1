import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import type { CliIo, Command } from '../cli/command';
import { formatTable } from '../cli/format-table';
import { inspectBundle } from './inspect-bundle';
import { inspectCheckpoint } from './inspect-checkpoint';
import { checkpointFolderOf, isBundleFile, locateModel, runStageDir, unreadablePath } from './model-source';
import { inspectSafetensors } from './safetensors-stats';

function percent(value: number): string {
  return `${(100 * value).toFixed(2)}%`;
}

/**
 * The checkpoint a folder names: itself (with config.json), or for a finished run folder its last
 * stage's model (sparse-int8, else sparse); anything else says what inspect reads.
 */
async function inspectedFolder(dir: string, given: string): Promise<string> {
  if ((await stat(join(dir, 'config.json')).catch(() => undefined))?.isFile() === true) return dir;
  const location = await locateModel(dir, dir).catch(() => undefined);
  if (location?.kind === 'run') return runStageDir(location, location.models['sparse-int8'] !== undefined ? 'sparse-int8' : 'sparse');
  throw new ConfigError(`${given} is a folder without config.json`, {
    expected: 'a .safetensors file, a .pofa bundle, a Hugging Face directory (config.json, model.safetensors) or a finished run folder',
    received: 'a folder with none of these',
    hint: 'Point to the checkpoint folder, or to one of its files',
  });
}

function writeJson(io: CliIo, value: unknown): number {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

async function printBundle(path: string, json: boolean, io: CliIo): Promise<number> {
  const report = await inspectBundle(path);
  if (json) return writeJson(io, { file: path, ...report });
  const rows = report.tensors.map((tensor) => [
    tensor.name, tensor.format, tensor.dtype, `[${tensor.shape.join(', ')}]`, String(tensor.bits), percent(tensor.sparsity), String(Math.round(tensor.nominalBytes)), String(tensor.onDiskBytes),
  ]);
  io.stdout.write(formatTable(['tensor', 'format', 'dtype', 'shape', 'bits', 'sparsity', 'nominal bytes', 'bytes on disk'], rows));
  const { compression: c, config } = report;
  io.stdout.write(`\n${config.family} ${config.task}: ${config.layers} layers, hidden ${config.hidden}, vocabulary ${config.vocabSize}, ${report.tensors.length} tensors, ${report.fileBytes} bytes on disk (.pofa version ${report.version})\n`);
  const { task, tokenizer } = report;
  if (task !== undefined) io.stdout.write(`Task: ${task.kind}${task.name === undefined ? '' : ` (${task.name})`}${'labels' in task ? `, labels ${task.labels.join(', ')}` : ''}${tokenizer === undefined ? '' : `; tokenizer: WordPiece, ${tokenizer.lowercase ? 'uncased' : 'cased'}, at most ${tokenizer.maxLength} tokens`}\n`);
  io.stdout.write(
    `Encoder Linear weights: ${c.parameters} parameters, ${percent(1 - c.nonZeros / Math.max(1, c.parameters))} zeros, ${c.bits}-bit values; ` +
      `dense fp32 ${c.denseBytes} bytes, nominal ${Math.round((c.nonZeros * c.bits) / 8)} bytes (${c.nominal.toFixed(1)}x), on disk ${c.onDiskBytes} bytes (${c.onDisk.toFixed(1)}x), entropy bound ${c.entropyBound.toFixed(1)}x\n`,
  );
  return 0;
}

async function printCheckpoint(dir: string, json: boolean, io: CliIo): Promise<number> {
  const report = await inspectCheckpoint(dir);
  if (json) return writeJson(io, report);
  const { config } = report;
  const number = (...names: string[]) => names.map((name) => config[name]).find((value) => typeof value === 'number') ?? '?';
  const unloadable = report.supported ? '' : report.note?.startsWith('Unsupported checkpoint architecture') === true ? ' (pofa cannot load this architecture)' : ' (pofa cannot load its config)';
  io.stdout.write(formatTable(['layer', 'encoder Linear parameters', 'sparsity'], report.layers.map((layer) => [String(layer.layer), String(layer.parameters), percent(layer.sparsity)])));
  io.stdout.write(
    `\n${report.family} ${report.task}${unloadable}: ${number('num_hidden_layers', 'n_layers')} layers, hidden ${number('hidden_size', 'dim')}, ` +
      `${number('num_attention_heads', 'n_heads')} heads, FFN ${number('intermediate_size', 'hidden_dim')}, vocabulary ${number('vocab_size')}, ${number('max_position_embeddings')} positions\n` +
      `${report.parameters} parameters in ${report.tensors.length} tensors (${report.dtypes.join(', ')}), ${percent(report.sparsity)} zeros; ` +
      `encoder Linear weights: ${report.encoder.parameters} parameters, ${percent(report.encoder.sparsity)} zeros\n` +
      `${report.files.length === 1 ? report.files[0].path : `${report.files.length} shards`}: ${report.fileBytes} bytes on disk\n`,
  );
  if (report.note !== undefined) io.stdout.write(`${report.note}\n`);
  return 0;
}

/**
 * `pofa inspect PATH`: what a safetensors file, a Hugging Face checkpoint directory or a `.pofa`
 * bundle holds — tensor by tensor, or for a directory its config, parameter count, dtypes and
 * sparsity overall and per encoder layer.
 *
 * @example
 * ```ts
 * await runCli(['inspect', 'pofa-out/bundles/sparse-int8.pofa'], io, COMMANDS);
 * ```
 */
export const inspectCommand: Command = {
  name: 'inspect',
  exitOnSignal: true,
  summary: 'What a .safetensors file, a Hugging Face directory or a .pofa bundle holds: sparsity, bits, sizes',
  usage: 'pofa inspect PATH [--json]',
  description: [
    'PATH is a .safetensors file (per tensor: dtype, shape, bits, sparsity, bytes), a Hugging Face checkpoint',
    'directory (config.json with model.safetensors or its shards: family, task, parameters, dtypes, sparsity overall',
    'and per encoder layer; --json adds every tensor), or a .pofa bundle (per tensor: packed format, bits, sparsity,',
    'nominal and on-disk bytes, and the compression of the encoder Linear weights). config.json or vocab.txt of a',
    'checkpoint means its directory; a finished run folder means the model of its last stage.',
  ].join('\n'),
  options: { json: { type: 'boolean', description: 'Print JSON instead of a table' } },
  positionals: [{ name: 'PATH', required: true }],
  async run({ options, positionals }, io) {
    const path = resolve(io.cwd, positionals[0]);
    const json = options.json === true;
    const info = await stat(path).catch(async (error: NodeJS.ErrnoException) => {
      throw new ConfigError(`Cannot read ${positionals[0]}`, { expected: 'a .safetensors file, a Hugging Face directory or a .pofa bundle', received: await unreadablePath(path, error), hint: 'Check the path' });
    });
    if (!info.isFile() && !info.isDirectory()) {
      throw new ConfigError(`${positionals[0]} is not a regular file or folder`, { expected: 'a .safetensors file, a Hugging Face directory or a .pofa bundle', received: 'a device, FIFO or socket', hint: 'Check the path' });
    }
    if (info.isDirectory()) return printCheckpoint(await inspectedFolder(path, positionals[0]), json, io);
    if (await isBundleFile(path)) return printBundle(path, json, io);
    if (extname(path) === '.pofa') {
      throw new ConfigError(`${positionals[0]} is not a .pofa bundle`, { expected: 'a file starting with the POFA magic', received: 'other bytes', hint: 'Export the bundle again (pofa export --format pofa), or check the path' });
    }
    // config.json or vocab.txt of a checkpoint: the checkpoint; a .safetensors file: that file alone.
    const folder = extname(path) === '.safetensors' ? undefined : await checkpointFolderOf(path);
    if (folder !== undefined) return printCheckpoint(folder, json, io);
    const report = await inspectSafetensors(path);
    const nominal = report.tensors.reduce((sum, tensor) => sum + tensor.nominalBytes, 0);
    if (json) return writeJson(io, { file: path, fileBytes: report.fileBytes, nominalBytes: nominal, metadata: report.metadata, tensors: report.tensors });
    const rows = report.tensors.map((tensor) => [tensor.name, tensor.dtype, `[${tensor.shape.join(', ')}]`, String(tensor.bits), percent(tensor.sparsity), String(tensor.nominalBytes)]);
    io.stdout.write(formatTable(['tensor', 'dtype', 'shape', 'bits', 'sparsity', 'bytes'], rows));
    io.stdout.write(`\n${report.tensors.length} tensors · ${nominal} bytes of tensor data · ${report.fileBytes} bytes on disk\n`);
    return 0;
  },
};
