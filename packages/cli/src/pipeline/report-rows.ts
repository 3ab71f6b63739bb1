import { join } from 'node:path';
import type { EncoderModel } from '@pofa/models';
import { encoderSparsity } from '@pofa/prune';
import { loadBundle, type EncoderInputs, type EncoderRuntime } from '@pofa/sparse-kernels';
import type { RunTask } from '@pofa/tasks';
import { classificationDeployment, type BundleDeployment } from './bundle-deployment';
import { writeModelBundle, type BundleLayout, type WrittenBundle } from './bundles';
import { evaluateModel } from './measure';
import { bundleInt8Options, type QatResult } from './quantize';
import type { ReportRow } from './report-table';
import { evaluateRuntime, latencyInputs, measureRuntimeLatencies } from './runtime';
import type { PreparedEncoder } from './text-encoder';

/** The models of the table: the dense teacher (absent in a transfer without one), the sparse transferred model, and the QAT model (absent with `--no-int8`). */
export interface RowModels {
  dense?: EncoderModel;
  sparse: EncoderModel;
  quantized?: QatResult;
}

/** A metric of one model on the task's test split. */
export interface TaskScore {
  metric: string;
  value: number;
}

/**
 * How a task scores a model twice (the tfjs model and its `.pofa` bundle on the runtime) and the
 * inputs latency is timed on. Classification and span QA each provide one.
 */
export interface TaskScoring {
  /** The task's name in the rows. */
  task: string;
  model(model: EncoderModel, stage: ReportRow['stage']): Promise<TaskScore>;
  runtime(runtime: EncoderRuntime, stage: ReportRow['stage']): Promise<TaskScore>;
  latencyInputs: EncoderInputs;
  /** The tokenizer settings and task the bundles record, so that they answer text on their own. */
  deployment?: BundleDeployment;
}

/**
 * The {@link TaskScoring} of a classification or regression task: `evaluate()` of the test split
 * on the tfjs model and on the bundle, latency on the first `batchSize` test examples.
 *
 * @example
 * ```ts
 * const scoring = classificationScoring(task, encoder, 16);
 * ```
 */
export function classificationScoring(task: RunTask, encoder: PreparedEncoder, batchSize: number): TaskScoring {
  const score = ({ primaryMetric, primary }: { primaryMetric: string; primary: number }): TaskScore => ({ metric: primaryMetric, value: primary });
  return {
    task: task.name,
    model: async (model) => score(await evaluateModel(model, task, 'test', encoder, 2 * batchSize)),
    runtime: async (runtime) => score(await evaluateRuntime(runtime, task, 'test', encoder, 2 * batchSize)),
    latencyInputs: latencyInputs(task, encoder, batchSize),
    deployment: classificationDeployment(task, encoder.tokenizer),
  };
}

/** What {@link measureRows} needs besides the models. */
export interface RowContext {
  scoring: TaskScoring;
  /** Further test sets scored on the same models and bundles (MNLI's mismatched dev set): their rows follow the primary ones, with the same sizes and latency. */
  moreScorings?: readonly TaskScoring[];
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
 * times them on the same inputs (taking turns; median after warm-up), and scores each row twice
 * on the test split: the tfjs model (`value`) and the bundle (`runtimeValue`). The speedup is over
 * the dense bundle; without a dense model, over the sparse model's weights written in the dense
 * layout (`dense-layout.pofa`, timed only), so it is the gain of the sparse kernels on one shape.
 * Each of `moreScorings` adds one row per stage after those (its task name, the same bundle).
 *
 * @example
 * ```ts
 * const { rows } = await measureRows({ dense, sparse, quantized }, { scoring: classificationScoring(task, encoder, 16), layout: 'csr', dir: 'pofa-out/bundles', vocab });
 * ```
 */
export async function measureRows(models: RowModels, context: RowContext): Promise<MeasuredRows> {
  const { scoring, layout, dir, vocab } = context;
  const deployment = scoring.deployment ?? {};
  const stages: Array<{ stage: ReportRow['stage']; model: EncoderModel; bundle: WrittenBundle }> = [];
  if (models.dense !== undefined) stages.push({ stage: 'dense', model: models.dense, bundle: await writeModelBundle(models.dense, join(dir, 'dense.pofa'), { layout: 'dense', vocab, deployment }) });
  stages.push({ stage: 'sparse', model: models.sparse, bundle: await writeModelBundle(models.sparse, join(dir, 'sparse.pofa'), { layout, vocab, deployment }) });
  if (models.quantized !== undefined) {
    const int8 = bundleInt8Options(models.quantized.int8);
    const bundle = await writeModelBundle(models.quantized.model, join(dir, 'sparse-int8.pofa'), { layout, int8, vocab, deployment });
    stages.push({ stage: 'sparse-int8', model: models.quantized.model, bundle });
  }
  const baseline = models.dense === undefined ? await writeModelBundle(models.sparse, join(dir, 'dense-layout.pofa'), { layout: 'dense', vocab, deployment }) : undefined;
  const runtimes = await Promise.all(stages.map(({ bundle }) => loadBundle(bundle.path)));
  const timed = baseline === undefined ? runtimes : [await loadBundle(baseline.path), ...runtimes];
  const latencies = measureRuntimeLatencies(timed, scoring.latencyInputs, { runs: context.latencyRuns ?? 20 });
  const baselineMs = latencies[0];
  const stageLatencies = baseline === undefined ? latencies : latencies.slice(1);
  const rows: ReportRow[] = [];
  for (const rowScoring of [scoring, ...(context.moreScorings ?? [])]) {
    for (const [index, { stage, model, bundle }] of stages.entries()) {
      const tfjs = await rowScoring.model(model, stage);
      const deployed = await rowScoring.runtime(runtimes[index], stage);
      const { compression } = bundle;
      rows.push({
        stage,
        task: rowScoring.task,
        metric: tfjs.metric,
        value: tfjs.value,
        runtimeValue: deployed.value,
        sparsity: encoderSparsity(model),
        encoderBytesNominal: (compression.nonZeros * compression.bits) / 8,
        encoderBytesOnDisk: compression.onDiskBytes,
        bundleBytes: bundle.fileBytes,
        latencyMs: stageLatencies[index],
        speedup: baselineMs / stageLatencies[index],
      });
    }
  }
  const { kernels } = runtimes[0];
  return { rows, bundles: Object.fromEntries(stages.map(({ stage, bundle }) => [stage, bundle])), kernels: `${kernels.name} ${kernels.isa}` };
}
