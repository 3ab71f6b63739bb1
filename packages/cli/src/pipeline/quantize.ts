import { join } from 'node:path';
import { createTensorsFromRaw, tf, writeSafetensors } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { dequantizeInt8, exportInt8 } from '@pofa/quant';
import { fileBytes } from './measure';

/** What {@link quantizeToInt8} did. */
export interface Int8Result {
  /**
   * `post-training`: symmetric per-channel int8 of the encoder Linear weights after transfer
   * (`exportInt8`), masks kept. QAT replaces it once `@pofa/quant` ships its QAT modifier.
   */
  method: 'post-training';
  /** The int8 safetensors file written (`int8-v1`, dense layout). */
  file: string;
  bytesOnDisk: number;
}

/**
 * Quantizes a model's encoder Linear weights to int8 in place: exports them with `exportInt8`
 * (per-channel symmetric scales; zeros stay zeros, so the sparsity pattern survives), writes the
 * int8 safetensors file to `dir`, and loads the dequantized weights back into the model, so
 * evaluating it measures the int8 model's accuracy.
 *
 * @example
 * ```ts
 * const { bytesOnDisk } = await quantizeToInt8(sparseModel, 'pofa-out/quantize');
 * ```
 */
export async function quantizeToInt8(model: EncoderModel, dir: string): Promise<Int8Result> {
  const { tensors, metadata } = exportInt8(model);
  const file = join(dir, 'model-int8.safetensors');
  await writeSafetensors(file, tensors, metadata);
  const weights = createTensorsFromRaw(dequantizeInt8(tensors));
  try {
    const parameters = new Map(model.namedParameters());
    for (const [name, value] of Object.entries(weights)) parameters.get(name)?.assign(value);
  } finally {
    tf.dispose(Object.values(weights));
  }
  return { method: 'post-training', file, bytesOnDisk: await fileBytes(file) };
}
