import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tf } from '@pofa/core';
import { createEncoderRuntime, type Bundle, type EncoderInputs, type Kernels } from '@pofa/sparse-kernels';
import { modelFromBundle } from './bench-models';
import { createOrtSession, interleave, ortFeeds, ortHeadOutput, type OnnxRuntime } from './bench-onnx';

/** A `[batch, seq]` batch as `benchInputs` makes it: flat int32 ids, every position attended. */
export type BenchInputs = EncoderInputs & { inputIds: { data: Int32Array; shape: [number, number] } };

/**
 * A `[batch, seq]` batch of ordinary token ids (past the first five ids, where the special
 * tokens live), every position attended.
 *
 * @example
 * ```ts
 * benchInputs(30522, 8, 128).inputIds; // { data: Int32Array(1024), shape: [8, 128] }
 * ```
 */
export function benchInputs(vocabSize: number, batch: number, seq: number): BenchInputs {
  const span = Math.max(1, vocabSize - 5);
  const data = Int32Array.from({ length: batch * seq }, (_, index) => Math.min(vocabSize - 1, 5 + ((index * 7 + Math.floor(index / seq) * 131) % span)));
  return { inputIds: { data, shape: [batch, seq] }, attentionMask: { data: new Int32Array(batch * seq).fill(1), shape: [batch, seq] } };
}

/** An engine ready to be timed: one forward pass of the batch, the head output of its first pass, and its memory. */
export interface BenchEngine {
  run(): unknown;
  /** The head output of the first pass (logits; span QA logits interleaved; last hidden states of a base model). */
  output: Float32Array;
  /** Resident-set growth in MiB from before the engine was made to after its first pass (plus memory held before: a bundle). */
  memoryMb: number;
  dispose(): Promise<void>;
}

type EngineParts = { run(): unknown; output(): Promise<Float32Array> | Float32Array; dispose(): unknown };

let collect: (() => void) | undefined | null = null;

/**
 * V8's garbage collector as a function (`global.gc` under `--expose-gc`, else exposed for this
 * process through `v8.setFlagsFromString`), or undefined where neither works. Memory readings
 * run it first, so that garbage (an ONNX model's bytes once its session holds the weights) is not
 * counted.
 *
 * @example
 * ```ts
 * garbageCollector()?.();
 * ```
 */
export function garbageCollector(): (() => void) | undefined {
  if (collect !== null) return collect;
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return (collect = global.gc);
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = undefined;
  }
  return collect;
}

function residentMb(): number {
  garbageCollector()?.();
  return process.memoryUsage.rss() / 2 ** 20;
}

/**
 * Makes an engine and runs its first pass, measuring the growth of the process's resident set
 * (RSS) across both, after a garbage collection at each end, plus `heldBytes` made before (a
 * bundle read beforehand). RSS counts native memory too (onnxruntime's weights, their pre-packed
 * copies and its arena, the addon's buffers, a WebAssembly heap), which the V8 heap statistics
 * would miss; the first pass is included because onnxruntime and tfjs allocate their working
 * memory then. Memory that an earlier engine freed to the allocator but not to the system can be
 * reused without growth, so engines made later may read low.
 *
 * @example
 * ```ts
 * const engine = await measuredEngine(() => pofaParts(bundle, kernels, inputs), bundleBytes(bundle));
 * ```
 */
export async function measuredEngine(make: () => Promise<EngineParts> | EngineParts, heldBytes = 0): Promise<BenchEngine> {
  const before = residentMb();
  const parts = await make();
  const output = await parts.output();
  const memoryMb = Math.max(0, residentMb() - before) + heldBytes / 2 ** 20;
  return { run: () => parts.run(), output, memoryMb, dispose: async () => void (await parts.dispose()) };
}

/**
 * The bytes of a bundle's arrays (values, indices, scales of every tensor): what its runtime holds
 * besides the workspace, read before the runtime is made.
 *
 * @example
 * ```ts
 * bundleBytes(await readBundle('sparse-int8.pofa')) / 2 ** 20; // MiB
 * ```
 */
export function bundleBytes(bundle: Bundle): number {
  let bytes = 0;
  for (const tensor of bundle.tensors.values()) for (const value of Object.values(tensor)) if (ArrayBuffer.isView(value)) bytes += value.byteLength;
  return bytes;
}

/** The pofa runtime of a bundle on `kernels`. */
export function pofaParts(bundle: Bundle, kernels: Kernels, inputs: BenchInputs): EngineParts {
  const runtime = createEncoderRuntime(bundle, { kernels });
  return {
    run: () => runtime.run(inputs),
    output: () => {
      const outputs = runtime.run(inputs);
      return outputs.logits ?? outputs.hidden;
    },
    dispose: () => undefined,
  };
}

/** An onnxruntime session of a bundle's model (fp32, or its int8 weights with dynamically quantized inputs). */
export async function ortParts(ort: OnnxRuntime, bundle: Bundle, inputs: BenchInputs, options: { int8: boolean; threads: number }): Promise<EngineParts> {
  const session = await createOrtSession(ort, bundle, options);
  const feeds = ortFeeds(ort, inputs, bundle.config.family);
  return {
    run: () => session.run(feeds),
    output: async () => ortHeadOutput(await session.run(feeds)),
    dispose: () => session.release(),
  };
}

/** The model of a bundle, dense, on the tfjs backend in use, on tensors made once. */
export function tfjsParts(bundle: Bundle, inputs: BenchInputs): EngineParts {
  const model = modelFromBundle(bundle);
  const [batch, seq] = inputs.inputIds.shape;
  const inputIds = tf.tensor2d(inputs.inputIds.data, [batch, seq], 'int32');
  const attentionMask = tf.ones([batch, seq], 'int32') as tf.Tensor2D;
  // Inside tf.tidy: every tensor of the pass is disposed once its values are read.
  const forward = (): Float32Array => {
    const outputs = model.forward({ inputIds, attentionMask });
    const head = [outputs.logits, outputs.startLogits, outputs.endLogits].filter((tensor) => tensor !== undefined);
    const values = head.length === 0 ? [outputs.lastHidden.dataSync() as Float32Array] : head.map((tensor) => tensor.dataSync() as Float32Array);
    return values.length === 2 ? interleave(values[0], values[1]) : Float32Array.from(values[0]);
  };
  return {
    run: () => tf.tidy(() => void forward()),
    output: () => tf.tidy(forward),
    dispose: () => {
      tf.dispose([inputIds, attentionMask]);
      model.dispose();
    },
  };
}

/** How an engine's outputs compared with a reference's on the checked batch. */
export interface OutputCheck {
  /** The engine the outputs were compared with. */
  reference: string;
  maxDifference: number;
  tolerance: number;
  agrees: boolean;
}

/** Tolerances of {@link checkOutputs}, as fractions of the reference's largest |value|. */
export const CHECK_TOLERANCE = { fp32: 1e-3, int8: 0.1 } as const;

/**
 * Compares an engine's head output with a reference's: they agree when the largest |difference|
 * is at most `CHECK_TOLERANCE[dtype] × max |reference|` — float rounding for fp32
 * engines, quantization of weights and activations for int8 ones (a wrong weight or layout
 * differs by the outputs' own size).
 *
 * @example
 * ```ts
 * checkOutputs(pofa.output, onnx.output, 'onnxruntime fp32', 'fp32'); // { maxDifference: 3e-6, tolerance: 0.004, agrees: true, ... }
 * ```
 */
export function checkOutputs(output: Float32Array, reference: Float32Array, referenceLabel: string, dtype: 'fp32' | 'int8'): OutputCheck {
  let scale = 0;
  for (const value of reference) scale = Math.max(scale, Math.abs(value));
  const tolerance = CHECK_TOLERANCE[dtype] * scale;
  let maxDifference = output.length === reference.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < output.length && i < reference.length; i++) {
    const difference = Math.abs(output[i] - reference[i]);
    if (!(difference <= maxDifference)) maxDifference = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference;
  }
  return { reference: referenceLabel, maxDifference, tolerance, agrees: maxDifference <= tolerance };
}
