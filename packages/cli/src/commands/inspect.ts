import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, readSafetensorsMetadata, readSafetensorsRaw, SAFETENSORS_DTYPE_BYTES } from '@pofa/core';
import type { CliIo, Command } from '../cli/command';
import { formatTable } from '../cli/format-table';
import { inspectBundle } from './inspect-bundle';
import { isBundleFile } from './model-source';

/** One tensor of `pofa inspect`. */
export interface InspectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  bits: number;
  /** Fraction of exact zeros. */
  sparsity: number;
  /** Values × bits, in bytes. */
  nominalBytes: number;
}

/**
 * Per-tensor dtype, bits, sparsity and nominal bytes of a safetensors file, plus the file's size.
 *
 * @example
 * ```ts
 * const { tensors, fileBytes } = await inspectSafetensors('model.safetensors');
 * ```
 */
export async function inspectSafetensors(path: string): Promise<{ tensors: InspectedTensor[]; fileBytes: number; metadata: Record<string, string> }> {
  const fileBytes = (await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`Cannot read ${path}`, { expected: 'an existing .safetensors file', received: error.code ?? String(error), hint: 'Check the path' });
  })).size;
  const header = await readSafetensorsMetadata(path);
  const parsed = await readSafetensorsRaw(path);
  const tensors = Object.entries(parsed.tensors).map(([name, raw]) => {
    const bytesPerValue = SAFETENSORS_DTYPE_BYTES[raw.dtype];
    const count = raw.shape.reduce((product, size) => product * size, 1);
    const view = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
    const isFloat = raw.dtype.startsWith('F') || raw.dtype === 'BF16';
    let zeros = 0;
    for (let index = 0; index < count; index++) {
      const start = index * bytesPerValue;
      let zero = true;
      for (let byte = 0; byte < bytesPerValue - 1 && zero; byte++) zero = view[start + byte] === 0;
      // Little-endian: the last byte holds the sign bit, so a float -0 counts as zero too.
      const top = view[start + bytesPerValue - 1];
      if (zero && (top === 0 || (isFloat && top === 0x80))) zeros++;
    }
    return { name, dtype: raw.dtype, shape: raw.shape, bits: 8 * bytesPerValue, sparsity: count === 0 ? 0 : zeros / count, nominalBytes: count * bytesPerValue };
  });
  return { tensors: tensors.sort((a, b) => (a.name < b.name ? -1 : 1)), fileBytes, metadata: header.metadata };
}

function percent(value: number): string {
  return `${(100 * value).toFixed(2)}%`;
}

async function printBundle(path: string, json: boolean, io: CliIo): Promise<number> {
  const report = await inspectBundle(path);
  if (json) {
    io.stdout.write(`${JSON.stringify({ file: path, ...report }, null, 2)}\n`);
    return 0;
  }
  const rows = report.tensors.map((tensor) => [
    tensor.name, tensor.format, tensor.dtype, `[${tensor.shape.join(', ')}]`, String(tensor.bits), percent(tensor.sparsity), String(Math.round(tensor.nominalBytes)), String(tensor.onDiskBytes),
  ]);
  io.stdout.write(formatTable(['tensor', 'format', 'dtype', 'shape', 'bits', 'sparsity', 'nominal bytes', 'bytes on disk'], rows));
  const { compression: c, config } = report;
  io.stdout.write(`\n${config.family} ${config.task}: ${config.layers} layers, hidden ${config.hidden}, vocabulary ${config.vocabSize}, ${report.tensors.length} tensors, ${report.fileBytes} bytes on disk\n`);
  io.stdout.write(
    `Encoder Linear weights: ${c.parameters} parameters, ${percent(1 - c.nonZeros / Math.max(1, c.parameters))} zeros, ${c.bits}-bit values; ` +
      `dense fp32 ${c.denseBytes} bytes, nominal ${Math.round((c.nonZeros * c.bits) / 8)} bytes (${c.nominal.toFixed(1)}x), on disk ${c.onDiskBytes} bytes (${c.onDisk.toFixed(1)}x), entropy bound ${c.entropyBound.toFixed(1)}x\n`,
  );
  return 0;
}

/**
 * `pofa inspect FILE`: what a safetensors file or a `.pofa` bundle holds, tensor by tensor.
 *
 * @example
 * ```ts
 * await runCli(['inspect', 'pofa-out/bundles/sparse-int8.pofa'], io, COMMANDS);
 * ```
 */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Per-tensor format, sparsity, bits, nominal and on-disk sizes of a .safetensors or .pofa file',
  usage: 'pofa inspect FILE [--json]',
  options: { json: { type: 'boolean', description: 'Print JSON instead of a table' } },
  positionals: [{ name: 'FILE', required: true }],
  async run({ options, positionals }, io) {
    const path = resolve(io.cwd, positionals[0]);
    if (await isBundleFile(path)) return printBundle(path, options.json === true, io);
    const report = await inspectSafetensors(path);
    const nominal = report.tensors.reduce((sum, tensor) => sum + tensor.nominalBytes, 0);
    if (options.json === true) {
      io.stdout.write(`${JSON.stringify({ file: path, fileBytes: report.fileBytes, nominalBytes: nominal, metadata: report.metadata, tensors: report.tensors }, null, 2)}\n`);
      return 0;
    }
    const rows = report.tensors.map((tensor) => [tensor.name, tensor.dtype, `[${tensor.shape.join(', ')}]`, String(tensor.bits), percent(tensor.sparsity), String(tensor.nominalBytes)]);
    io.stdout.write(formatTable(['tensor', 'dtype', 'shape', 'bits', 'sparsity', 'bytes'], rows));
    io.stdout.write(`\n${report.tensors.length} tensors · ${nominal} bytes of tensor data · ${report.fileBytes} bytes on disk\n`);
    return 0;
  },
};
