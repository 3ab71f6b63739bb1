import { availableParallelism } from 'node:os';
import { ConfigError, tf } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { loadBundle, loadKernels, type EncoderInputs } from '@pofa/sparse-kernels';
import { measureRuntimeLatencies } from '../pipeline/runtime';
import type { BenchModels } from './bench-models';

/** How `pofa bench` measures: the batch shape, the runtime's threads, and the timed runs. */
export interface BenchSettings {
  batch: number;
  /** Tokens per sequence (every one attended); default: 128, or the model's positions if fewer. */
  seq?: number;
  /** Threads of the native kernels (default: the machine's cores). */
  threads?: number;
  /** Timed runs per engine (after `warmup` runs), the engines taking turns run by run. */
  iterations: number;
  warmup?: number;
}

/** One measured engine. */
export interface BenchRow {
  model: string;
  /** `pofa runtime`: the bundle on the sparse-kernels runtime; `tfjs`: the same model, dense, on the tfjs backend. */
  engine: 'pofa runtime' | 'tfjs';
  /** The bundle's layout, or the tfjs backend. */
  layout: string;
  bits: number;
  sparsity: number;
  batch: number;
  seq: number;
  /** Median milliseconds of one forward pass of the batch. */
  msPerBatch: number;
  tokensPerSecond: number;
  /** The tfjs peer's milliseconds over this row's. */
  speedup: number;
}

/** What `pofa bench --json` writes. */
export interface BenchReport {
  target: string;
  kernels: string;
  threads: number;
  backend: string;
  batch: number;
  seq: number;
  iterations: number;
  warmup: number;
  rows: BenchRow[];
}

/**
 * A `[batch, seq]` batch of ordinary token ids (past the first five ids, where the special
 * tokens live), every position attended.
 *
 * @example
 * ```ts
 * benchInputs(30522, 8, 128).inputIds; // { data: Int32Array(1024), shape: [8, 128] }
 * ```
 */
export function benchInputs(vocabSize: number, batch: number, seq: number): EncoderInputs & { inputIds: { data: Int32Array; shape: [number, number] } } {
  const span = Math.max(1, vocabSize - 5);
  const data = Int32Array.from({ length: batch * seq }, (_, index) => Math.min(vocabSize - 1, 5 + ((index * 7 + Math.floor(index / seq) * 131) % span)));
  return { inputIds: { data, shape: [batch, seq] }, attentionMask: { data: new Int32Array(batch * seq).fill(1), shape: [batch, seq] } };
}

/** A tfjs model behind the runtime's `run`, on tensors made once. */
function tfjsEngine(model: EncoderModel, inputs: ReturnType<typeof benchInputs>): { run(): void; dispose(): void } {
  const [batch, seq] = inputs.inputIds.shape;
  const inputIds = tf.tensor2d(inputs.inputIds.data, [batch, seq], 'int32');
  const attentionMask = tf.ones([batch, seq], 'int32') as tf.Tensor2D;
  model.eval();
  return {
    run() {
      const output = tf.tidy(() => {
        const outputs = model.forward({ inputIds, attentionMask });
        return outputs.logits ?? outputs.lastHidden;
      });
      output.dataSync();
      output.dispose();
    },
    dispose: () => tf.dispose([inputIds, attentionMask]),
  };
}

/**
 * Times each bundle on the sparse-kernels runtime and the peer model, dense, on the tfjs backend
 * in use, on the same batch: the engines take turns run by run (so a change of the machine's load
 * affects them alike), and each row reports the median milliseconds per batch, tokens per second
 * and its speedup over the tfjs peer.
 *
 * @example
 * ```ts
 * const report = await runBench(await benchModels(location), { batch: 8, iterations: 20 }, 'pofa-out');
 * ```
 */
export async function runBench(models: BenchModels, settings: BenchSettings, target: string): Promise<BenchReport> {
  // Explicit threads: the addon's thread count is process-wide, so an earlier caller's setting would otherwise stick.
  const kernels = loadKernels({ threads: settings.threads ?? availableParallelism() });
  const runtimes = await Promise.all(models.bundles.map((bundle) => loadBundle(bundle.path, { kernels })));
  const positions = Math.min(...runtimes.map((runtime) => runtime.config.maxPositions));
  const seq = settings.seq ?? Math.min(128, positions);
  if (seq > positions) {
    throw new ConfigError(`--seq ${seq} is longer than the model's ${positions} positions`, { expected: `--seq at most ${positions}`, received: String(seq), hint: 'Pass a shorter --seq' });
  }
  const { batch, iterations } = settings;
  const warmup = settings.warmup ?? 3;
  const inputs = benchInputs(Math.min(...runtimes.map((runtime) => runtime.config.vocabSize)), batch, seq);
  const peer = tfjsEngine(models.peer.model, inputs);
  let times: number[];
  try {
    times = measureRuntimeLatencies([...runtimes, peer], inputs, { runs: iterations, warmup });
  } finally {
    peer.dispose();
  }
  const peerMs = times[runtimes.length];
  const row = (base: Omit<BenchRow, 'batch' | 'seq' | 'msPerBatch' | 'tokensPerSecond' | 'speedup'>, ms: number): BenchRow => ({
    ...base, batch, seq, msPerBatch: ms, tokensPerSecond: (batch * seq * 1000) / ms, speedup: peerMs / ms,
  });
  const peerBundle = models.bundles.find((bundle) => bundle.name === models.peer.name);
  const rows = [
    ...models.bundles.map((bundle, index) => row({ model: bundle.name, engine: 'pofa runtime', layout: bundle.layout, bits: bundle.bits, sparsity: bundle.sparsity }, times[index])),
    row({ model: models.peer.name, engine: 'tfjs', layout: tf.getBackend(), bits: 32, sparsity: peerBundle?.sparsity ?? models.bundles[0].sparsity }, peerMs),
  ];
  return { target, kernels: `${kernels.name} ${kernels.isa}`, threads: kernels.threads, backend: tf.getBackend(), batch, seq, iterations, warmup, rows };
}
