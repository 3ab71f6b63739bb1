import { lstat, readdir, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { makeFolders } from '@pofa/core';
import type { CliIo, Command, OptionValues } from '../cli/command';
import { choiceOption, numberOption } from '../cli/parse-command-line';
import { InterruptedError } from '../errors/interrupted-error';
import { initCliBackend } from '../pipeline/backend';
import { checkOutputTarget } from '../pipeline/output-target';
import { FORCE_OPTION } from './output-options';
import { UsageError } from '../errors/usage-error';
import { reproduceOfa } from '../reproduce/ofa-run';
import { reproducePruneOfa, type ReproduceResult } from '../reproduce/prune-ofa-run';
import { queueOption, storeOption } from './worker';

/**
 * The scales `pofa reproduce --scale` takes (`smoke`: seconds, for tests).
 *
 * @example
 * ```ts
 * REPRODUCE_SCALES.includes('mini'); // true
 * ```
 */
export const REPRODUCE_SCALES = ['tiny', 'mini', 'full', 'smoke'] as const;

/**
 * The benchmarks `pofa reproduce --only` picks from.
 *
 * @example
 * ```ts
 * REPRODUCE_BENCHMARKS; // ['prune-ofa', 'ofa']
 * ```
 */
export const REPRODUCE_BENCHMARKS = ['prune-ofa', 'ofa'] as const;

const FULL_ONLY = ['teacher', 'glue', 'squad', 'corpus'] as const;

/** What `pofa reproduce` runs, read from its command line. */
export interface ReproducePlan {
  scale: (typeof REPRODUCE_SCALES)[number];
  benchmarks: Array<(typeof REPRODUCE_BENCHMARKS)[number]>;
  out: string;
  work?: string;
  /** `--queue`: the Redis URL the stages go to (prune-ofa only); absent: they run in this process. */
  queue?: string;
  /** `--store s3://…` (with `queue`): the bucket the stage models go to, instead of a work folder. */
  store?: string;
  seed: number;
  full: { teacher?: string[]; glue?: string; squad?: string; corpus?: string };
  /** Lines to print before running (a benchmark left out at this scale). */
  notes: string[];
}

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Reads the command line of `pofa reproduce` into a plan, with a {@link UsageError} for every
 * mistake it can see before any work: an unknown scale or benchmark, full-scale options at
 * another scale, `--scale full` without `--teacher` or data, `--only ofa` at `full`.
 *
 * @example
 * ```ts
 * reproducePlan({ scale: 'tiny' }, {}, '/tmp'); // { scale: 'tiny', benchmarks: ['prune-ofa', 'ofa'], out: '/tmp/pofa-reproduce', ... }
 * ```
 */
export function reproducePlan(options: OptionValues, lists: Record<string, string[]>, cwd: string): ReproducePlan {
  const scale = choiceOption(options, 'scale', REPRODUCE_SCALES, 'tiny');
  const only = options.only === undefined ? undefined : choiceOption(options, 'only', REPRODUCE_BENCHMARKS, 'prune-ofa');
  const seed = numberOption(options, 'seed', { fallback: 0, integer: true }) as number;
  const given = FULL_ONLY.filter((name) => options[name] !== undefined);
  if (scale !== 'full' && given.length > 0) {
    throw new UsageError(`${given.map((name) => `--${name}`).join(', ')} only apply to --scale full`, { hint: 'The other scales use the embedded data; drop them, or add --scale full' });
  }
  const notes: string[] = [];
  let benchmarks: ReproducePlan['benchmarks'] = only === undefined ? [...REPRODUCE_BENCHMARKS] : [only];
  const queue = queueOption(options);
  const store = storeOption(options);
  if (store?.kind === 'folder' && options.work !== undefined) throw new UsageError('--store and --work name the same folder', { hint: 'Give one of them' });
  if (store?.kind === 's3' && queue === undefined) throw new UsageError('--store s3://… needs --queue', { expected: 'pofa reproduce --queue redis://HOST:PORT --store s3://BUCKET/PREFIX', hint: 'Stages keep their models in a bucket only when pofa workers run them; without --queue use --work DIR' });
  if (queue !== undefined) {
    if (only === 'ofa') throw new UsageError('The ofa benchmark does not run on a queue', { expected: '--only prune-ofa with --queue', hint: 'Run --only ofa without --queue' });
    if (only === undefined) notes.push('the ofa table does not run on a queue: only prune-ofa runs (run --only ofa without --queue for it)');
    benchmarks = ['prune-ofa'];
  }
  if (scale === 'full') {
    if (options.teacher === undefined) throw new UsageError('--scale full needs --teacher DIR', { expected: 'a Hugging Face BERT or DistilBERT directory (repeat --teacher for each model)', hint: 'See pofa reproduce --help' });
    if (options.glue === undefined && options.squad === undefined) throw new UsageError('--scale full needs --glue DIR and/or --squad FILE', { hint: 'See pofa reproduce --help' });
    if (only === 'ofa') throw new UsageError('The ofa benchmark has no full scale', { expected: '--scale tiny or mini with --only ofa', hint: 'Run --only ofa at tiny or mini, or --only prune-ofa at full' });
    if (only === undefined && queue === undefined) notes.push('ofa has no full scale: only prune-ofa runs');
    benchmarks = ['prune-ofa'];
  }
  const path = (value: string | undefined): string | undefined => (value === undefined ? undefined : resolve(cwd, value));
  const teachers = lists.teacher ?? (text(options.teacher) === undefined ? undefined : [text(options.teacher) as string]);
  return {
    scale,
    benchmarks,
    out: resolve(cwd, text(options.out) ?? 'pofa-reproduce'),
    ...(text(options.work) === undefined ? {} : { work: path(text(options.work)) }),
    ...(store?.kind === 'folder' ? { work: store.folder } : {}),
    ...(store?.kind === 's3' ? { store: store.url } : {}),
    ...(queue === undefined ? {} : { queue: String(options.queue) }),
    seed,
    full: {
      ...(teachers === undefined ? {} : { teacher: teachers.map((dir) => resolve(cwd, dir)) }),
      ...(text(options.glue) === undefined ? {} : { glue: path(text(options.glue)) }),
      ...(text(options.squad) === undefined ? {} : { squad: path(text(options.squad)) }),
      ...(text(options.corpus) === undefined ? {} : { corpus: path(text(options.corpus)) }),
    },
    notes,
  };
}

/** A folder an earlier `pofa reproduce` wrote: its `work/` stages or its result files. */
async function reproduceFolder(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.some((name) => name === 'work' || /^(prune-ofa|ofa)-[\w-]+\.(json|md|svg)$/.test(name));
}

/**
 * Checks --out before any work (a file, a device, /proc, a folder of other files are refused) and
 * makes it; returns the folders it made, deepest first, for {@link removeIfEmpty} after a failure.
 */
async function checkOut(out: string, label: string, force: boolean): Promise<string[]> {
  await checkOutputTarget(out, { kind: 'folder', label: `--out ${label}`, force, ownedByPofa: reproduceFolder });
  const made: string[] = [];
  for (let folder = out; !(await lstat(folder).then(() => true, () => false)); folder = dirname(folder)) made.push(folder);
  await makeFolders(out);
  return made;
}

/** Removes the folders a failed run made that are still empty (a work folder with stages stays: it resumes). */
async function removeIfEmpty(folders: readonly string[]): Promise<void> {
  for (const folder of folders) await rmdir(folder).catch(() => undefined);
}

/** An interruption, with the hint that fits `pofa reproduce` (no --resume: the same command continues). */
function continueHint(error: InterruptedError, work: string): InterruptedError {
  const base = error.hint === undefined ? error.message : error.message.slice(0, error.message.length - error.hint.length - 2);
  return new InterruptedError(base, { hint: `Finished stages are saved in ${work}: run the same command (same --out) to continue from there` });
}

function printResult(io: CliIo, name: string, scale: string, result: ReproduceResult<unknown>): void {
  io.stdout.write(`${name} (${scale}): ${result.rows.length} rows in ${result.seconds.toFixed(0)} s\n`);
  for (const file of result.files) io.stdout.write(`  ${file}\n`);
}

/**
 * `pofa reproduce`: the Prune OFA tables (BERT-Base-, BERT-Large- and DistilBERT-shaped rows ×
 * dense, 85%, 90%, + QAT; beside the paper's numbers) and the OFA width table (beside
 * PaddleSlim's), as JSON, Markdown and SVG in `--out`.
 *
 * @example
 * ```ts
 * await runCli(['reproduce', '--scale', 'tiny', '--out', 'results'], io, COMMANDS);
 * ```
 */
export const reproduceCommand: Command = {
  name: 'reproduce',
  summary: "Reproduce the paper's tables (Prune OFA) and the OFA width table at a scale",
  usage: 'pofa reproduce [--scale tiny|mini|full] [--only prune-ofa|ofa] [--out DIR] [--teacher DIR ... --glue DIR --squad FILE --corpus FILE] [--queue redis://HOST:PORT [--store file:///DIR|s3://BUCKET/PREFIX]]',
  description: [
    "Runs the benchmarks behind the paper's tables and writes JSON, Markdown and SVG files to --out:",
    '  prune-ofa  rows BERT-Base, BERT-Large and DistilBERT (analogues at tiny and mini) x dense, 85%, 90%,',
    "             85% + QAT, 90% + QAT; columns the tasks; the paper's numbers and retentions beside ours",
    "  ofa        the once-for-all width supernet at widths 1, 0.833, 0.667, 0.5 beside PaddleSlim's table",
    'Scales: tiny (under 5 minutes on 2 cores; CI), mini (a few hours on 2 cores), full (your Hugging Face',
    'checkpoints and GLUE folders, for a GPU machine; prune-ofa only), smoke (seconds; for tests).',
    'Each stage saves its model and result under <out>/work (or --work): a run that stops (Ctrl-C, a closed',
    'session) continues from its finished stages when the same command runs again.',
    'With --queue the prune-ofa stages go to Redis (BullMQ: a flow per cell, each shared stage queued once) and',
    'run on `pofa worker --queue ...` processes, on any machines that see the work folder (--store file:///DIR,',
    'a shared folder) or the S3-compatible bucket of --store s3://BUCKET/PREFIX (endpoint: ?endpoint=URL or',
    'AWS_ENDPOINT_URL; credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); this command waits, says each cell',
    'as it ends, and writes the same table as the in-process run (from the stages\' records in the bucket). A stage',
    'that fails three times is reported with its log; the other cells go on.',
  ].join('\n'),
  options: {
    scale: { type: 'string', value: 'NAME', description: `Sizes and data: ${REPRODUCE_SCALES.join(', ')}`, defaultText: 'tiny' },
    only: { type: 'string', value: 'NAME', description: `Run one benchmark: ${REPRODUCE_BENCHMARKS.join(' or ')}`, defaultText: 'both' },
    out: { type: 'string', short: 'o', value: 'DIR', description: 'Folder of the result files', defaultText: './pofa-reproduce' },
    work: { type: 'string', value: 'DIR', description: 'Folder of the stage models (<DIR>/prune-ofa-<scale>, <DIR>/ofa-<scale>)', defaultText: '<out>/work' },
    seed: { type: 'string', value: 'N', description: 'Seed of every random choice', defaultText: '0' },
    queue: { type: 'string', value: 'URL', description: 'Run the prune-ofa stages on pofa workers through Redis: redis://HOST[:PORT][/DB]', defaultText: 'in this process' },
    store: { type: 'string', value: 'URL', description: 'Where the stage models go, readable by every worker: file:///DIR (a shared folder; same as --work DIR) or s3://BUCKET/PREFIX[?endpoint=URL] (with --queue)' },
    teacher: { type: 'string', value: 'DIR', multiple: true, description: '--scale full: a Hugging Face BERT/DistilBERT directory (config.json, model.safetensors, vocab.txt); 24 layers fill the BERT-Large row' },
    glue: { type: 'string', value: 'DIR', description: '--scale full: the GLUE folder of download_glue_data.py (MNLI, QQP, QNLI, SST-2 are used)' },
    squad: { type: 'string', value: 'FILE', description: '--scale full: SQuAD v1.1 train-v1.1.json (checked; its column is not run yet)' },
    corpus: { type: 'string', value: 'FILE', description: '--scale full: sparse pre-training text, one passage per line', defaultText: 'the embedded corpus' },
    force: FORCE_OPTION,
  },
  async run({ options, lists }, io) {
    const plan = reproducePlan(options, lists ?? {}, io.cwd);
    if (plan.work !== undefined) {
      const label = typeof options.work === 'string' ? `--work ${options.work}` : `--store ${String(options.store)}`;
      await checkOutputTarget(plan.work, { kind: 'folder', label, force: true, createParents: true });
    }
    const made = await checkOut(plan.out, typeof options.out === 'string' ? options.out : 'pofa-reproduce', options.force === true);
    try {
      return await runPlan(plan, io);
    } catch (error) {
      await removeIfEmpty(made);
      throw error;
    }
  },
};

/** Runs each benchmark of `plan` in turn, and prints where its files and stage models are. */
async function runPlan(plan: ReproducePlan, io: CliIo): Promise<number> {
  await initCliBackend();
  for (const note of plan.notes) io.stderr.write(`pofa: ${note}\n`);
  const common = { out: plan.out, seed: plan.seed, progress: io.stderr.isTTY === true ? io.stderr : (false as const), ...(io.signal === undefined ? {} : { signal: io.signal }) };
  const workOf = (name: string) => (plan.work === undefined ? join(plan.out, 'work', `${name}-${plan.scale}`) : join(plan.work, `${name}-${plan.scale}`));
  for (const name of plan.benchmarks) {
    const log = (line: string) => io.stderr.write(`${name} ${line}\n`);
    try {
      if (name === 'prune-ofa') {
        const result = await reproducePruneOfa({ ...common, ...plan.full, scale: plan.scale, work: workOf(name), log, ...(plan.queue === undefined ? {} : { queue: plan.queue }), ...(plan.store === undefined ? {} : { store: plan.store }) });
        printResult(io, name, plan.scale, result);
      } else {
        const result = await reproduceOfa({ ...common, scale: plan.scale as Exclude<ReproducePlan['scale'], 'full'>, work: workOf(name), log });
        printResult(io, name, plan.scale, result);
      }
    } catch (error) {
      // Stopped waiting for a queue: its own hint says that the workers go on.
      if (InterruptedError.isInstance(error) && plan.queue === undefined) throw continueHint(error, workOf(name));
      throw error;
    }
  }
  io.stdout.write(`Stage models (a stopped run continues from them): ${plan.store ?? plan.work ?? join(plan.out, 'work')}\n`);
  return 0;
}
