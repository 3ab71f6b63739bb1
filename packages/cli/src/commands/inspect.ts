import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, readSafetensorsMetadata, readSafetensorsRaw, SAFETENSORS_DTYPE_BYTES } from '@pofa/core';
import type { Command } from '../cli/command';

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

/**
 * `pofa inspect FILE`: what a safetensors file holds, tensor by tensor.
 *
 * @example
 * ```ts
 * await runCli(['inspect', 'pofa-out/sparse-transfer/model/model.safetensors'], io, COMMANDS);
 * ```
 */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Per-tensor sparsity, bits, nominal and on-disk sizes of a .safetensors file',
  usage: 'pofa inspect FILE [--json]',
  options: { json: { type: 'boolean', description: 'Print JSON instead of a table' } },
  positionals: [{ name: 'FILE', required: true }],
  async run({ options, positionals }, io) {
    const path = resolve(io.cwd, positionals[0]);
    const report = await inspectSafetensors(path);
    const nominal = report.tensors.reduce((sum, tensor) => sum + tensor.nominalBytes, 0);
    if (options.json === true) {
      io.stdout.write(`${JSON.stringify({ file: path, fileBytes: report.fileBytes, nominalBytes: nominal, metadata: report.metadata, tensors: report.tensors }, null, 2)}\n`);
      return 0;
    }
    const rows = report.tensors.map((tensor) => [tensor.name, tensor.dtype, `[${tensor.shape.join(', ')}]`, String(tensor.bits), `${(100 * tensor.sparsity).toFixed(2)}%`, String(tensor.nominalBytes)]);
    const header = ['tensor', 'dtype', 'shape', 'bits', 'sparsity', 'bytes'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |\n`;
    io.stdout.write(line(header) + `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |\n` + rows.map(line).join(''));
    io.stdout.write(`\n${report.tensors.length} tensors · ${nominal} bytes of tensor data · ${report.fileBytes} bytes on disk\n`);
    return 0;
  },
};
