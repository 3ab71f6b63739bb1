import { availableParallelism, loadavg } from 'node:os';
import { ConfigError, tf } from '@pofa/core';
import { loadKernels, waitForIdleThreads } from '@pofa/sparse-kernels';
import { benchInputs, bundleBytes, checkOutputs, measuredEngine, ortParts, pofaParts, tfjsParts, type BenchEngine, type OutputCheck } from './bench-engines';
import type { BenchBundle, BenchModels } from './bench-models';
import { loadOnnxRuntime, ortSessionOptions } from './bench-onnx';
import { measureInterleaved, median, speedupOver, type InterleavedOptions } from './bench-timing';

/** How `pofa bench` measures: the batch shape, the threads, the timed rounds and the peers. */
export interface BenchSettings {
  batch: number;
  /** Tokens per sequence (every one attended); default: 128, or the model's positions if fewer. */
  seq?: number;
  /** Threads of the pofa runtime's kernels and onnxruntime's intra-op pool (default: the machine's cores). */
  threads?: number;
  /** Timed rounds (after `warmup` rounds); each round runs every engine once, in turn. */
  iterations: number;
  warmup?: number;
  /** Time onnxruntime-node (fp32, and dynamic int8 for int8 bundles); default true. */
  ort?: boolean;
  /** Time the tfjs backend in use; default true. */
  tfjs?: boolean;
}

/** What ran a row: a bundle on the pofa runtime, or its model exported to onnxruntime, or on tfjs. */
export type BenchEngineName = 'pofa runtime' | 'onnxruntime' | 'tfjs';

/** One engine's measurement. */
export interface BenchRow {
  model: string;
  engine: BenchEngineName;
  /** The bundle's layout; `dense` for onnxruntime; the backend for tfjs. */
  layout: string;
  /** Bits per encoder weight: 8 for int8 bundles and onnxruntime's dynamic int8 model. */
  bits: number;
  sparsity: number;
  batch: number;
  seq: number;
  /** Median milliseconds of one forward pass of the batch; null when not timed (its outputs disagreed). */
  msPerBatch: number | null;
  tokensPerSecond: number | null;
  /** Median over rounds of onnxruntime fp32's time over this row's (null without that peer). */
  speedupOverOrtFp32: number | null;
  /** The same over onnxruntime's dynamic int8 model of the same int8 weights (int8 rows only). */
  speedupOverOrtInt8: number | null;
  speedupOverTfjs: number | null;
  /**
   * Resident-set growth (MiB) from before the engine was made to after its first pass; for the pofa
   * runtime plus its bundle's arrays, read before.
   */
  memoryMb: number;
  /** The check of its outputs before timing; null for the reference itself. */
  check: OutputCheck | null;
  /** Milliseconds of each timed round. */
  times: number[];
  /**
   * Median milliseconds waited before this engine's runs for the process's threads to go idle (the
   * previous engine's pool spinning down); null when the runs did not wait.
   */
  idleWaitMs: number | null;
}

/** What `pofa bench --json` writes. */
export interface BenchReport {
  target: string;
  batch: number;
  seq: number;
  iterations: number;
  warmup: number;
  /** Threads of every engine: the pofa kernels and onnxruntime's intra-op pool. */
  threads: number;
  kernels: string;
  /** The tfjs backend, or null without tfjs. */
  backend: string | null;
  onnxruntime: { version: string; intraOpNumThreads: number; interOpNumThreads: number } | null;
  /** The engines in the order they take turns each round. */
  order: string[];
  /** 1, 5 and 15-minute load averages when the measurement started and ended, and the cores. */
  loadAverage: { start: number[]; end: number[]; cores: number };
  /** The process's peak resident set (MiB) at the end. */
  peakRssMb: number;
  rows: BenchRow[];
}

/** The longest `pofa bench` waits before a run for the process's threads to go idle. */
export const IDLE_WAIT_LIMIT_MS = 250;

type Entry = { label: string; row: Omit<BenchRow, 'msPerBatch' | 'tokensPerSecond' | 'speedupOverOrtFp32' | 'speedupOverOrtInt8' | 'speedupOverTfjs' | 'memoryMb' | 'check' | 'times' | 'idleWaitMs'>; engine: BenchEngine; check: OutputCheck | null };

function checkSequence(models: BenchModels, seq: number | undefined): number {
  const positions = Math.min(...models.bundles.map(({ bundle }) => bundle.config.maxPositions));
  const chosen = seq ?? Math.min(128, positions);
  if (chosen > positions) {
    throw new ConfigError(`--seq ${chosen} is longer than the model's ${positions} positions`, { expected: `--seq at most ${positions}`, received: String(chosen), hint: 'Pass a shorter --seq' });
  }
  return chosen;
}

/**
 * Times each bundle on the pofa runtime beside the same model exported by `@pofa/onnx` to
 * onnxruntime-node (fp32 from the peer bundle's weights; for each int8 bundle also its own int8
 * weights with dynamically quantized inputs) and run densely by tfjs, all in this process on one
 * batch with the same thread count. Before timing, each engine's outputs on the batch are compared
 * with the onnxruntime fp32 model of the same weights (a bundle's own fp32 model is exported for
 * that when it is not the peer); an engine that disagrees beyond tolerance is reported, not timed.
 * Then the engines take turns round by round (bundles, onnxruntime fp32, onnxruntime int8, tfjs),
 * so that drift of the machine falls on all of them; speedups are medians of per-round ratios.
 * Before each run the process waits (untimed, at most {@link IDLE_WAIT_LIMIT_MS}) until its threads
 * are idle: onnxruntime's intra-op workers keep spinning for tens of milliseconds after a run, and
 * on a machine with as many cores as threads they would otherwise take the cores from the next
 * engine (measured on 2 cores: a 90% 4x1 int8 BERT-Base bundle at batch 1 took 26 ms right after
 * onnxruntime, 9 ms alone).
 *
 * @example
 * ```ts
 * const report = await runBench(await benchModels(location), { batch: 8, iterations: 20, threads: 2 }, 'pofa-out');
 * ```
 */
export async function runBench(models: BenchModels, settings: BenchSettings, target: string, hooks: Pick<InterleavedOptions, 'clock' | 'onRun' | 'settle'> = {}): Promise<BenchReport> {
  const threads = settings.threads ?? availableParallelism();
  // Explicit threads: the addon's thread count is process-wide, so an earlier caller's setting would otherwise stick.
  const kernels = loadKernels({ threads });
  const seq = checkSequence(models, settings.seq);
  const { batch, iterations } = settings;
  const warmup = settings.warmup ?? 3;
  const ort = settings.ort === false ? undefined : await loadOnnxRuntime();
  const useTfjs = settings.tfjs !== false;
  const start = loadavg();
  const inputs = benchInputs(Math.min(...models.bundles.map(({ bundle }) => bundle.config.vocabSize)), batch, seq);
  const { peer } = models;
  const entries: Entry[] = [];
  const base = (bundle: BenchBundle, engine: BenchEngineName, layout: string, bits: number): Entry['row'] => ({ model: bundle.name, engine, layout, bits, sparsity: bundle.sparsity, batch, seq });
  let times: number[][] = [];
  let waits: number[][] = [];
  try {
    for (const bundle of models.bundles) {
      entries.push({ label: `pofa runtime ${bundle.name}`, row: base(bundle, 'pofa runtime', bundle.layout, bundle.bits), engine: await measuredEngine(() => pofaParts(bundle.bundle, kernels, inputs), bundleBytes(bundle.bundle)), check: null });
    }
    if (ort !== undefined) {
      entries.push({ label: `onnxruntime fp32 ${peer.name}`, row: base(peer, 'onnxruntime', 'dense', 32), engine: await measuredEngine(() => ortParts(ort, peer.bundle, inputs, { int8: false, threads })), check: null });
      for (const bundle of models.bundles.filter(({ bits }) => bits === 8)) {
        entries.push({ label: `onnxruntime int8 ${bundle.name}`, row: base(bundle, 'onnxruntime', 'dense', 8), engine: await measuredEngine(() => ortParts(ort, bundle.bundle, inputs, { int8: true, threads })), check: null });
      }
    }
    if (useTfjs) entries.push({ label: `tfjs ${peer.name}`, row: base(peer, 'tfjs', tf.getBackend(), 32), engine: await measuredEngine(() => tfjsParts(peer.bundle, inputs)), check: null });
    await checkEntries(entries, models, async (bundle) => {
      if (ort === undefined) return undefined;
      const parts = await ortParts(ort, bundle.bundle, inputs, { int8: false, threads });
      try {
        return await parts.output();
      } finally {
        await parts.dispose();
      }
    });
    const timed = entries.filter((entry) => entry.check?.agrees !== false);
    const settle = hooks.settle ?? (async () => (await waitForIdleThreads({ limitMs: IDLE_WAIT_LIMIT_MS })).waitedMs);
    const measured = await measureInterleaved(timed.map(({ label, engine }) => ({ label, run: engine.run })), { rounds: iterations, warmup, hotRuns: true, ...hooks, settle });
    times = entries.map((entry) => measured.times[timed.indexOf(entry)] ?? []);
    waits = entries.map((entry) => measured.settled[timed.indexOf(entry)] ?? []);
  } finally {
    for (const { engine } of entries) await engine.dispose();
  }
  const timesOf = (find: (entry: Entry) => boolean): number[] | undefined => {
    const index = entries.findIndex(find);
    return index === -1 || times[index].length === 0 ? undefined : times[index];
  };
  const ortFp32 = timesOf(({ row }) => row.engine === 'onnxruntime' && row.bits === 32);
  const tfjsTimes = timesOf(({ row }) => row.engine === 'tfjs');
  const rows = entries.map(({ row, engine, check }, index): BenchRow => {
    const own = times[index];
    const ms = own.length === 0 ? null : median(own);
    const ortInt8 = row.bits === 8 ? timesOf((entry) => entry.row.engine === 'onnxruntime' && entry.row.bits === 8 && entry.row.model === row.model) : undefined;
    const over = (baseline: number[] | undefined) => (baseline === undefined || ms === null ? null : speedupOver(baseline, own));
    return {
      ...row,
      msPerBatch: ms,
      tokensPerSecond: ms === null ? null : (batch * seq * 1000) / ms,
      speedupOverOrtFp32: over(ortFp32),
      speedupOverOrtInt8: over(ortInt8),
      speedupOverTfjs: over(tfjsTimes),
      memoryMb: engine.memoryMb,
      check,
      times: own,
      idleWaitMs: waits[index].length === 0 ? null : median(waits[index]),
    };
  });
  const options = ortSessionOptions(threads);
  return {
    target,
    batch,
    seq,
    iterations,
    warmup,
    threads: kernels.threads,
    kernels: `${kernels.name} ${kernels.isa}`,
    backend: useTfjs ? tf.getBackend() : null,
    onnxruntime: ort === undefined ? null : { version: ort.env.versions?.common ?? 'unknown', intraOpNumThreads: options.intraOpNumThreads as number, interOpNumThreads: options.interOpNumThreads as number },
    order: entries.filter((entry) => entry.check?.agrees !== false).map(({ label }) => label),
    loadAverage: { start, end: loadavg(), cores: availableParallelism() },
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rows,
  };
}

/**
 * Sets each entry's check: a bundle on the runtime and onnxruntime's int8 model against the fp32
 * model of the same weights on onnxruntime (`fp32Output`; the peer's session when the bundle is
 * the peer), tfjs against onnxruntime fp32; without onnxruntime, the peer bundle against tfjs.
 */
async function checkEntries(entries: Entry[], models: BenchModels, fp32Output: (bundle: BenchBundle) => Promise<Float32Array | undefined>): Promise<void> {
  const ortFp32 = entries.find(({ row }) => row.engine === 'onnxruntime' && row.bits === 32);
  const tfjs = entries.find(({ row }) => row.engine === 'tfjs');
  const references = new Map<BenchBundle, { label: string; output: Float32Array } | undefined>();
  const referenceOf = async (bundle: BenchBundle) => {
    if (!references.has(bundle)) {
      let reference: { label: string; output: Float32Array } | undefined;
      if (bundle === models.peer && ortFp32 !== undefined) reference = { label: ortFp32.label, output: ortFp32.engine.output };
      else if (ortFp32 !== undefined) {
        const output = await fp32Output(bundle);
        reference = output === undefined ? undefined : { label: `onnxruntime fp32 ${bundle.name}`, output };
      } else if (bundle === models.peer && tfjs !== undefined) reference = { label: tfjs.label, output: tfjs.engine.output };
      references.set(bundle, reference);
    }
    return references.get(bundle);
  };
  for (const entry of entries) {
    const { row } = entry;
    const bundle = models.bundles.find(({ name }) => name === row.model) ?? models.peer;
    const dtype = row.bits === 8 ? 'int8' : 'fp32';
    if (entry === ortFp32) continue;
    const reference = entry === tfjs ? (ortFp32 === undefined ? undefined : { label: ortFp32.label, output: ortFp32.engine.output }) : await referenceOf(bundle);
    if (reference !== undefined) entry.check = checkOutputs(entry.engine.output, reference.output, reference.label, dtype);
  }
}
