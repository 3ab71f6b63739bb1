import { join } from 'node:path';
import type { EncoderModel } from '@pofa/models';
import { loadBundle } from '@pofa/sparse-kernels';
import { writeModelBundle, type BundleLayout, type WrittenBundle } from './bundles';
import { encoderSparsity, evaluateModel } from './measure';
import { bundleInt8Options, type QatResult } from './quantize';
import type { ReportRow } from './report-table';
import { evaluateRuntime, latencyInputs, measureRuntimeLatencies } from './runtime';
import type { RunTask } from './task-source';
import type { PreparedEncoder } from './text-encoder';

/** The models of the table: the dense teacher, the sparse transferred model, and the QAT model (absent with `--no-int8`). */
export interface RowModels {
  dense: EncoderModel;
  sparse: EncoderModel;
  quantized?: QatResult;
}

/** What {@link measureRows} needs besides the models. */
export interface RowContext {
  task: RunTask;
  encoder: PreparedEncoder;
  batchSize: number;
  /** The layout of the sparse bundles' encoder Linear weights (the dense bundle is always `dense`). */
  layout: BundleLayout;
  /** Where the bundles go (`dense.pofa`, `sparse.pofa`, `sparse-int8.pofa`). */
  dir: string;
  vocab: string[];
  /** Timed runs of the latency measurement (after 3 warm-up runs). */
  latencyRuns?: number;
}

/** The rows and the bundles behind them. */
export interface MeasuredRows {
  rows: ReportRow[];
  bundles: Partial<Record<ReportRow['stage'], WrittenBundle>>;
  /** The kernels the bundles ran on (`native avx512-vnni`, `portable`). */
  kernels: string;
}

/**
 * Writes each model as a `.pofa` bundle (dense fp32; sparse fp32 in `layout`; sparse int8 in
 * `layout` with the QAT scales and input ranges), loads the bundles on the sparse-kernels runtime,
 * times them on the same batch of test examples (taking turns; median after warm-up), and scores
 * each row twice on the test split: the tfjs model (`value`) and the bundle (`runtimeValue`).
 *
 * @example
 * ```ts
 * const { rows } = await measureRows({ dense, sparse, quantized }, { task, encoder, batchSize: 16, layout: 'csr', dir: 'pofa-out/bundles', vocab });
 * ```
 */
export async function measureRows(models: RowModels, context: RowContext): Promise<MeasuredRows> {
  const { task, encoder, batchSize, layout, dir, vocab } = context;
  const stages: Array<{ stage: ReportRow['stage']; model: EncoderModel; bundle: WrittenBundle }> = [
    { stage: 'dense', model: models.dense, bundle: await writeModelBundle(models.dense, join(dir, 'dense.pofa'), { layout: 'dense', vocab }) },
    { stage: 'sparse', model: models.sparse, bundle: await writeModelBundle(models.sparse, join(dir, 'sparse.pofa'), { layout, vocab }) },
  ];
  if (models.quantized !== undefined) {
    const int8 = bundleInt8Options(models.quantized.int8);
    const bundle = await writeModelBundle(models.quantized.model, join(dir, 'sparse-int8.pofa'), { layout, int8, vocab });
    stages.push({ stage: 'sparse-int8', model: models.quantized.model, bundle });
  }
  const runtimes = await Promise.all(stages.map(({ bundle }) => loadBundle(bundle.path)));
  const latencies = measureRuntimeLatencies(runtimes, latencyInputs(task, encoder, batchSize), { runs: context.latencyRuns ?? 20 });
  const rows: ReportRow[] = [];
  for (const [index, { stage, model, bundle }] of stages.entries()) {
    const tfjs = await evaluateModel(model, task, 'test', encoder, 2 * batchSize);
    const deployed = await evaluateRuntime(runtimes[index], task, 'test', encoder, 2 * batchSize);
    const { compression } = bundle;
    rows.push({
      stage,
      task: task.name,
      metric: tfjs.primaryMetric,
      value: tfjs.primary,
      runtimeValue: deployed.primary,
      sparsity: encoderSparsity(model),
      encoderBytesNominal: (compression.nonZeros * compression.bits) / 8,
      encoderBytesOnDisk: compression.onDiskBytes,
      bundleBytes: bundle.fileBytes,
      latencyMs: latencies[index],
      speedup: latencies[0] / latencies[index],
    });
  }
  const { kernels } = runtimes[0];
  return { rows, bundles: Object.fromEntries(stages.map(({ stage, bundle }) => [stage, bundle])), kernels: `${kernels.name} ${kernels.isa}` };
}
