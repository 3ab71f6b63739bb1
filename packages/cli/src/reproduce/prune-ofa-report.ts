import paperResults from './reference/paper-results.json';
import { fixed, markdownTable, type MarkdownCell } from './markdown-table';
import { PRUNE_OFA_VARIANTS } from './prune-ofa-scales';
import { lineChartSvg, type PlotSeries } from './svg-line-plot';

/** One cell of the Prune OFA table. */
export interface PruneOfaRow {
  model: string;
  variant: string;
  task: string;
  metric: string;
  value: number;
  /** Zeros of the evaluated model's encoder Linear weights. */
  sparsity: number;
  /** `value` / the dense value of the same model and task; `null` without one (or when it is 0). */
  retention: number | null;
}

/** A task's TF-IDF baseline in the table. */
export interface BaselineCell {
  task: string;
  metric: string;
  value: number;
}

/** A model of the table as the report names it. */
export interface ReportedModel {
  name: string;
  paper: string;
  layers: number;
  hidden: number;
}

/** The paper's results as `paper-results.json` holds them (values in percent, with their sources). */
export interface PaperResults {
  paper: string;
  unit: string;
  sources: Record<string, { url: string; what: string }>;
  missing: string;
  tasks: Record<string, { label: string; metrics: string[]; primaryMetric: string }>;
  rows: Array<{ model: string; variant: string; task: string; metric: string; value: number | null; source?: string }>;
}

/**
 * The paper's results (`reference/paper-results.json`: values in percent, with their sources).
 *
 * @example
 * ```ts
 * loadPaperResults().rows.find((row) => row.model === 'bert-base' && row.variant === '90' && row.task === 'sst2')?.value; // 90.88
 * ```
 */
export function loadPaperResults(): PaperResults {
  return structuredClone(paperResults) as PaperResults;
}

/**
 * Adds `retention` = value / the dense value of the same model and task (`null` when the dense
 * value is missing or 0) to each row.
 *
 * @example
 * ```ts
 * withRetention([{ model: 'm', task: 't', variant: 'dense', value: 0.8 }, { model: 'm', task: 't', variant: '90', value: 0.6 }])[1].retention; // 0.75
 * ```
 */
export function withRetention<Row extends { model: string; task: string; variant: string; value: number }>(rows: readonly Row[]): Array<Row & { retention: number | null }> {
  const dense = new Map(rows.filter((row) => row.variant === 'dense').map((row) => [`${row.model}\u0000${row.task}`, row.value]));
  return rows.map((row) => {
    const base = dense.get(`${row.model}\u0000${row.task}`);
    const retention = typeof base === 'number' && base !== 0 && typeof row.value === 'number' ? row.value / base : null;
    return { ...row, retention };
  });
}

function paperValue(paper: PaperResults, model: string, variant: string, task: string): number | null {
  const metric = paper.tasks[task].primaryMetric;
  return paper.rows.find((row) => row.model === model && row.variant === variant && row.task === task && row.metric === metric)?.value ?? null;
}

const withRatio = (value: number | null | undefined, retention: number | null | undefined, digits: number): string | null =>
  value === null || value === undefined ? null : `${fixed(value, digits)}${retention === null || retention === undefined ? '' : ` (${fixed(retention, 3)})`}`;

/**
 * The Markdown report: our rows (value and retention per task, sparsity measured) beside the
 * paper's (percent, retention where the paper's dense value is known), with the model mapping
 * and the sources.
 *
 * @example
 * ```ts
 * const markdown = formatPruneOfaMarkdown({ scale: 'tiny', rows, models, tasks: ['spam'], seconds: 240, backend: 'wasm' });
 * ```
 */
export function formatPruneOfaMarkdown({ scale, rows, models, tasks, seconds, stageSeconds, backend, baselines = [] }: {
  scale: string;
  rows: readonly PruneOfaRow[];
  /** The TF-IDF baseline of each task (`textBaseline`), a row of its own under the models. */
  baselines?: readonly BaselineCell[];
  models: readonly ReportedModel[];
  tasks: readonly string[];
  /** Wall time of the call that wrote the table. */
  seconds?: number;
  /** The stages' own times summed (across sessions for a continued run). */
  stageSeconds?: number;
  backend?: string;
}): string {
  const paper = loadPaperResults();
  const paperTasks = Object.keys(paper.tasks);
  const header = ['model', 'shape', 'variant', 'sparsity', ...tasks.map((task) => `${task} ${rows.find((row) => row.task === task)?.metric ?? ''}`), ...paperTasks.map((task) => `paper ${paper.tasks[task].label}`)];
  const body: MarkdownCell[][] = [];
  for (const model of models) {
    for (const variant of PRUNE_OFA_VARIANTS) {
      const ours = tasks.map((task) => rows.find((row) => row.model === model.name && row.variant === variant && row.task === task));
      const sparsity = ours.find((row) => row !== undefined)?.sparsity;
      const theirs = paperTasks.map((task) => {
        const value = paperValue(paper, model.name, variant, task);
        const dense = paperValue(paper, model.name, 'dense', task);
        return withRatio(value, value !== null && dense !== null ? value / dense : null, 2);
      });
      body.push([model.paper, `${model.layers}×${model.hidden}`, variant, fixed(sparsity, 3), ...ours.map((row) => withRatio(row?.value, row?.retention, 4)), ...theirs]);
    }
  }
  if (baselines.length > 0) {
    body.push(['TF-IDF + linear', '—', 'baseline', '—', ...tasks.map((task) => fixed(baselines.find((cell) => cell.task === task)?.value, 4)), ...paperTasks.map(() => null)]);
  }
  const beaten = tasks.filter((task) => {
    const baseline = baselines.find((cell) => cell.task === task)?.value;
    const dense = rows.filter((row) => row.task === task && row.variant === 'dense').map((row) => row.value);
    return baseline !== undefined && dense.length > 0 && Math.max(...dense) <= baseline;
  });
  const align = header.map((_, index): 'l' | 'r' => (index < 3 ? 'l' : 'r'));
  return [
    `# Prune Once for All — scale \`${scale}\``,
    '',
    `Each cell: the task's primary metric on its test split, and in parentheses the retention (value / the same model's dense value). "paper" columns: Zafrir et al. (2021), in percent, from ${Object.values(paper.sources).map((source) => source.url).join(' and ')}; — = not found in those sources (never estimated). ${paper.missing}`,
    '',
    markdownTable(header, body, align),
    '',
    ...(baselines.length === 0 ? [] : [
      `Baseline: TF-IDF of words and word pairs + logistic regression (ridge for regression) on the same splits, regularisation chosen on validation. ${beaten.length === 0 ? 'Every dense model beats it.' : `It scores at least as well as every dense model on ${beaten.join(', ')}: there the transformer analogues are under-trained for their task at this scale.`}`,
      '',
    ]),
    `Models: each row is an analogue of the paper's model (${models.map((model) => `${model.paper} → ${model.layers} layer${model.layers === 1 ? '' : 's'} × ${model.hidden}`).join('; ')}); sparsity is measured on the encoder Linear weights of the evaluated model. "+qat" rows are evaluated with 8-bit fake quantization of weights and Linear inputs on.`,
    '',
    `Run: ${seconds === undefined ? '' : `${seconds.toFixed(0)} s wall time, `}${stageSeconds === undefined ? '' : `${stageSeconds.toFixed(0)} s in the stages (summed over every session of a continued run), `}backend ${backend ?? 'unknown'}.`,
    '',
  ].join('\n');
}

/**
 * One SVG plot per task: the metric against the measured sparsity, a solid line per model
 * (dense, 85%, 90%) and a dashed one for its "+ QAT" rows.
 *
 * @example
 * ```ts
 * const plots = pruneOfaPlots({ rows, models, tasks: ['spam'] }); // { spam: '<svg ...' }
 * ```
 */
export function pruneOfaPlots({ rows, models, tasks }: { rows: readonly PruneOfaRow[]; models: readonly ReportedModel[]; tasks: readonly string[] }): Record<string, string> {
  const plots: Record<string, string> = {};
  for (const task of tasks) {
    const of = (model: string, variants: readonly string[]): Array<[number, number]> =>
      variants
        .map((variant) => rows.find((row) => row.model === model && row.task === task && row.variant === variant))
        .filter((row): row is PruneOfaRow => row !== undefined)
        .map((row) => [row.sparsity, row.value]);
    const series: PlotSeries[] = models.flatMap((model, index) => [
      { name: model.name, points: of(model.name, ['dense', '85', '90']), colorIndex: index },
      { name: `${model.name} + QAT`, points: of(model.name, ['85+qat', '90+qat']), dashed: true, colorIndex: index },
    ]);
    const metric = rows.find((row) => row.task === task)?.metric ?? 'metric';
    plots[task] = lineChartSvg({ title: `Prune OFA: ${task}`, xLabel: 'sparsity of the encoder Linear weights', yLabel: metric, series });
  }
  return plots;
}
