import { z } from 'zod';
import { ConfigError } from '@pofa/core';
import type { BundleQuantization } from '../bundle/bundle-header';
import type { Bundle } from '../bundle/bundle-types';
import { compressionReport, type CompressionReport } from '../bundle/compression-report';
import type { EncoderConfig } from '../bundle/encoder-config';
import { readBundle } from '../bundle/read-bundle';
import { loadKernels } from '../kernels/load-kernels';
import type { Kernels } from '../kernels/types';
import { createForwardWorkspace, encoderForward, type EncoderOutputs } from './encoder-forward';
import { runtimeWeights } from './encoder-weights';
import { checkEncoderInputs, type EncoderInputs } from './runtime-inputs';

/** Options of {@link loadBundle} and {@link createEncoderRuntime}. */
export const loadBundleOptionsSchema = z
  .object({
    /** The kernels to run on (default: `loadKernels()`: native when the addon loads, else portable). */
    kernels: z.custom<Kernels>((value) => typeof value === 'object' && value !== null && typeof (value as Kernels).linear === 'function').optional(),
  })
  .strict();

export type LoadBundleOptions = z.input<typeof loadBundleOptionsSchema>;

/** A loaded compressed encoder. */
export interface EncoderRuntime {
  readonly config: EncoderConfig;
  readonly vocab?: string[];
  readonly quantization?: BundleQuantization;
  readonly kernels: Kernels;
  /** Nominal, on-disk and entropy-bound compression of the encoder Linear weights. */
  readonly compression: CompressionReport;
  /** Runs the encoder and its head on a batch. */
  run(inputs: EncoderInputs): EncoderOutputs;
}

/**
 * Builds a runtime from a parsed bundle (see {@link loadBundle}).
 *
 * @example
 * ```ts
 * const encoder = createEncoderRuntime(parseBundle(bytes), { kernels: loadKernels() });
 * ```
 */
export function createEncoderRuntime(bundle: Bundle, options: LoadBundleOptions = {}): EncoderRuntime {
  const parsed = loadBundleOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid loadBundle options', { expected: '{ kernels?: Kernels }', received: parsed.error.issues.map((issue) => issue.message).join('; ') });
  }
  const kernels = parsed.data.kernels ?? loadKernels();
  const weights = runtimeWeights(bundle);
  const { config } = bundle;
  const workspace = createForwardWorkspace();
  return {
    config,
    ...(bundle.vocab === undefined ? {} : { vocab: bundle.vocab }),
    ...(bundle.quantization === undefined ? {} : { quantization: bundle.quantization }),
    kernels,
    compression: compressionReport(bundle),
    run: (inputs) => encoderForward(kernels, config, weights, checkEncoderInputs(inputs, config), workspace),
  };
}

/**
 * Loads a `.pofa` bundle (validated by `readBundle`) as an encoder that runs on the given
 * kernels: `run({ inputIds, attentionMask?, tokenTypeIds? })` returns the last hidden states
 * and the head's logits as `Float32Array`s.
 *
 * @example
 * ```ts
 * const encoder = await loadBundle('model.pofa', { kernels: loadKernels({ threads: 2 }) });
 * const { hidden, logits } = encoder.run({ inputIds: [[101, 7592, 102]] });
 * console.log(encoder.compression.onDisk);
 * ```
 */
export async function loadBundle(path: string, options: LoadBundleOptions = {}): Promise<EncoderRuntime> {
  return createEncoderRuntime(await readBundle(path), options);
}
