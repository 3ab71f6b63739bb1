import { copyFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError, ENCODER_LINEAR_WEIGHTS, readSafetensorsRaw, type RawTensor } from '@pofa/core';
import { loadPretrained, loadVocab, readCheckpointVocab, savePretrained, saveVocab, type EncoderModel } from '@pofa/models';
import { exportOnnx } from '@pofa/onnx';
import { exportInt8 } from '@pofa/quant';
import type { Command } from '../cli/command';
import { choiceOption } from '../cli/parse-command-line';
import { OutputError } from '../errors/output-error';
import { UsageError } from '../errors/usage-error';
import { initCliBackend } from '../pipeline/backend';
import { configDeployment, runDeployment } from '../pipeline/bundle-deployment';
import { BUNDLE_LAYOUTS, layoutOf, writeModelBundle, type BundleLayout } from '../pipeline/bundles';
import { checkOutputTarget, writeOutputFile, writeOutputFolder } from '../pipeline/output-target';
import { bundleInt8Options } from '../pipeline/quantize';
import { locateModel, runStageDir, type ModelLocation } from './model-source';

/**
 * The stages of a run that `pofa export --stage` names.
 *
 * @example
 * ```ts
 * RUN_STAGES.includes('sparse-int8'); // true
 * ```
 */
export const RUN_STAGES = ['dense', 'sparse', 'sparse-int8'] as const;

/**
 * The formats of `pofa export --format`.
 *
 * @example
 * ```ts
 * EXPORT_FORMATS.includes('onnx'); // true
 * ```
 */
export const EXPORT_FORMATS = ['hf', 'pofa', 'onnx'] as const;

/** Options of {@link exportModel}. */
export interface ExportOptions {
  format: (typeof EXPORT_FORMATS)[number];
  /** The output folder (hf) or file (pofa, onnx); default beside the source (see the command help). */
  out?: string;
  /** The stage of a run (default: its last, sparse-int8 when it has one). */
  stage?: (typeof RUN_STAGES)[number];
  /** The packed layout of a `.pofa` export (default: the run's pattern, else csr). */
  layout?: BundleLayout;
  /**
   * int8 weights per row (max-abs scales) for a model without QAT (a Hugging Face source, a run's
   * dense or sparse stage); a run's sparse-int8 stage always uses its QAT scales and input ranges.
   */
  int8?: boolean;
  /** Replace an existing output file, or write into a non-empty folder (hf) that pofa did not write. */
  force?: boolean;
}

/** The files an hf export writes; with `--force` into an existing folder, those it does not write this time are removed. */
const HF_EXPORT_FILES = ['config.json', 'model.safetensors', 'vocab.txt', 'model-int8.safetensors'];

/** The int8 tensors of an ONNX export: the QAT export of a sparse-int8 stage, or per-row max-abs weights with `--int8`. */
async function onnxInt8(model: EncoderModel, int8File: string | undefined, int8: boolean): Promise<Record<string, RawTensor> | undefined> {
  if (int8File !== undefined) return (await readSafetensorsRaw(int8File)).tensors;
  return int8 ? exportInt8(model, { targets: { include: [...ENCODER_LINEAR_WEIGHTS] }, perChannel: true }).tensors : undefined;
}

/** `path` with symlinks resolved where it exists (itself where it does not). */
const realOrSelf = (path: string): Promise<string> => realpath(path).catch(() => resolve(path));

/** Whether `path` is `folder` or inside it. */
function within(path: string, folder: string): boolean {
  const rest = relative(folder, path);
  return rest === '' || (rest.split(sep)[0] !== '..' && !isAbsolute(rest));
}

/**
 * Refuses, even with --force, an output that is the folder export reads (`source`) or replaces
 * something inside it (its weights, config, a run's bundle): writing it would destroy the input
 * while it is read. A new file inside it is fine, and so is a run's own `export/` folder.
 */
async function refuseOverwritingSource(out: string, source: string, label: string, ownExports?: string): Promise<void> {
  const [target, folder] = await Promise.all([realOrSelf(out), realOrSelf(source)]);
  const exists = await stat(target).then(() => true, () => false);
  const exported = ownExports !== undefined && within(target, await realOrSelf(ownExports));
  if (target === folder || (within(target, folder) && exists && !exported)) {
    throw new OutputError(`${label} ${target === folder ? 'is' : 'is inside'} ${source}, the model it exports`, {
      code: 'POFA_OUTPUT_IS_INPUT',
      hint: 'Write the export somewhere else (--force does not replace the model being read)',
    });
  }
}

/**
 * Exports a model as a Hugging Face directory (`savePretrained`: config.json, model.safetensors,
 * plus vocab.txt, and for a run's sparse-int8 stage its `model-int8.safetensors`), a `.pofa`
 * bundle (`exportBundle`; a run's sparse-int8 stage in int8 with its QAT scales and input ranges)
 * or an ONNX model (`exportOnnx`; a run's sparse-int8 stage as a QDQ graph with its QAT int8
 * weights and input scales, `--int8` as int8 weights with fp32 inputs). Returns the path written.
 *
 * @example
 * ```ts
 * await exportModel(await locateModel('pofa-out', cwd), { format: 'pofa', stage: 'sparse-int8' }); // 'pofa-out/export/sparse-int8.pofa'
 * ```
 */
export async function exportModel(location: ModelLocation, options: ExportOptions): Promise<string> {
  if (location.kind === 'bundle') {
    throw new ConfigError(`${location.path} is already a .pofa bundle`, { expected: 'a run folder or a Hugging Face directory', received: 'a .pofa file', hint: 'pofa inspect shows what it holds' });
  }
  const run = location.kind === 'run' ? location : undefined;
  const stage = options.stage ?? (run?.models['sparse-int8'] !== undefined ? 'sparse-int8' : 'sparse');
  if (run === undefined && options.stage !== undefined) throw new UsageError('--stage applies to a run folder only', { hint: 'Drop --stage for a Hugging Face directory' });
  const dir = run === undefined ? location.dir : runStageDir(run, stage);
  const base = run === undefined ? location.dir : join(run.dir, 'export', stage);
  const out = options.out ?? `${base}${options.format === 'hf' ? '-hf' : `.${options.format}`}`;
  // Checked before any work: an existing output needs --force, a special file or /proc is refused, and so is the model it reads.
  const target = await checkOutputTarget(out, { kind: options.format === 'hf' ? 'folder' : 'file', label: options.out === undefined ? out : `--out ${out}`, force: options.force === true, createParents: options.out === undefined });
  await refuseOverwritingSource(out, run?.dir ?? dir, options.out === undefined ? out : `--out ${out}`, run === undefined ? undefined : join(run.dir, 'export'));
  const vocab = run === undefined ? await readCheckpointVocab(dir, { required: false }) : await loadVocab(resolve(run.dir, run.models.vocab));
  const int8File = run !== undefined && stage === 'sparse-int8' && run.models['sparse-int8-safetensors'] !== undefined ? resolve(run.dir, run.models['sparse-int8-safetensors']) : undefined;
  const { model } = await loadPretrained(dir);
  try {
    if (options.format === 'hf') {
      await writeOutputFolder(target, async (folder) => {
        await savePretrained(model, folder);
        if (vocab !== undefined) await saveVocab(join(folder, 'vocab.txt'), vocab);
        if (int8File !== undefined) await copyFile(int8File, join(folder, 'model-int8.safetensors'));
      }, HF_EXPORT_FILES);
      return out;
    }
    if (options.format === 'onnx') {
      const int8 = await onnxInt8(model, int8File, options.int8 === true);
      await writeOutputFile(target, (file) => exportOnnx(model, { out: file, ...(int8 === undefined ? {} : { int8 }), metadata: { 'pofa.source': run === undefined ? location.dir : `${run.dir} (${stage})` } }));
      return out;
    }
    const layout = options.layout ?? (stage === 'dense' ? 'dense' : run === undefined ? 'csr' : layoutOf(run.settings.pattern));
    const int8 = int8File !== undefined ? bundleInt8Options((await readSafetensorsRaw(int8File)).tensors) : options.int8 === true;
    // A run's own bundles carry its tokenizer and task (label names, pairs, label scale); a Hugging Face directory has its config.
    const stageBundle = run === undefined ? undefined : run.models.bundles[stage];
    const deployment = (await runDeployment(run === undefined || stageBundle === undefined ? undefined : resolve(run.dir, stageBundle))) ?? configDeployment(model, vocab);
    await writeOutputFile(target, (file) => writeModelBundle(model, file, { layout, int8, deployment, ...(vocab === undefined ? {} : { vocab }), metadata: { source: run === undefined ? location.dir : `${run.dir} (${stage})` } }));
    return out;
  } finally {
    model.dispose();
  }
}

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * `pofa export SOURCE --format hf|pofa|onnx`: a run's model (or a Hugging Face directory) as a
 * Hugging Face directory, a `.pofa` bundle or an ONNX model.
 *
 * @example
 * ```ts
 * await runCli(['export', 'pofa-out', '--format', 'onnx', '--stage', 'sparse-int8', '--out', 'model.onnx'], io, COMMANDS);
 * ```
 */
export const exportCommand: Command = {
  name: 'export',
  exitOnSignal: true,
  summary: 'Write a run\'s model (or a Hugging Face directory) as a Hugging Face directory, a .pofa bundle or an ONNX model',
  usage: 'pofa export SOURCE --format hf|pofa|onnx [--stage STAGE] [--out PATH] [--layout L] [--int8] [--force]',
  description: [
    'SOURCE is a finished pofa compress run folder or a Hugging Face directory (config.json, model.safetensors).',
    '--format hf writes config.json, model.safetensors and vocab.txt (a sparse-int8 stage adds its',
    'model-int8.safetensors: the fake-quantized weights are fp32 in model.safetensors). --format pofa writes',
    'a .pofa bundle: the encoder Linear weights packed in --layout (default: the run\'s pattern, csr otherwise),',
    'int8 with the QAT scales and input ranges for a run\'s sparse-int8 stage, or per-row max-abs with --int8;',
    'it holds the tokenizer and the task (label names), so pofa serve and pipeline() answer text from it alone.',
    '--format onnx writes an ONNX model (opset 17) for onnxruntime: inputs input_ids, attention_mask and',
    '(BERT) token_type_ids, int64 [batch, sequence]; outputs logits (QA: start_logits, end_logits). fp32 weights;',
    'a run\'s sparse-int8 stage as a QDQ graph (int8 weights with their QAT scales, uint8 QuantizeLinear/',
    'DequantizeLinear on the Linear inputs with the QAT input ranges); --int8: int8 weights (per-row max-abs), fp32 inputs.',
    'Default output: <run>/export/<stage>(-hf|.pofa|.onnx), or <dir>(-hf|.pofa|.onnx) beside a Hugging Face directory.',
    'An existing output is never replaced without --force; the output is written to a temporary file (or folder)',
    'beside it and renamed when complete, so a failure leaves nothing half-written.',
  ].join('\n'),
  options: {
    format: { type: 'string', value: 'F', description: EXPORT_FORMATS.join(', ') },
    stage: { type: 'string', value: 'STAGE', description: `A run's model: ${RUN_STAGES.join(', ')}`, defaultText: 'sparse-int8 (sparse without int8)' },
    out: { type: 'string', short: 'o', value: 'PATH', description: 'Output folder (hf) or file (pofa, onnx)' },
    layout: { type: 'string', value: 'L', description: `Packed layout of a .pofa export: ${BUNDLE_LAYOUTS.join(', ')}` },
    int8: { type: 'boolean', description: 'int8 weights (per-row max-abs) for a model without QAT (pofa, onnx)' },
    force: { type: 'boolean', description: 'Replace an existing output file, or write into a non-empty folder pofa did not write' },
  },
  positionals: [{ name: 'SOURCE', required: true }],
  async run({ options, positionals }, io) {
    if (options.format === undefined) throw new UsageError('pofa export needs --format', { expected: '--format hf or --format pofa or --format onnx', hint: 'See pofa export --help' });
    const format = choiceOption(options, 'format', EXPORT_FORMATS, 'pofa');
    const stage = options.stage === undefined ? undefined : choiceOption(options, 'stage', RUN_STAGES, 'sparse-int8');
    const layout = options.layout === undefined ? undefined : choiceOption(options, 'layout', BUNDLE_LAYOUTS, 'csr');
    if (format !== 'pofa' && layout !== undefined) throw new UsageError('--layout applies to --format pofa only', { hint: 'Drop it, or use --format pofa' });
    if (format === 'hf' && options.int8 === true) throw new UsageError('--int8 applies to --format pofa and onnx only', { hint: 'Drop it, or use --format pofa or onnx' });
    const location = await locateModel(positionals[0], io.cwd);
    await initCliBackend();
    const out = text(options.out);
    const written = await exportModel(location, { format, ...(out === undefined ? {} : { out: resolve(io.cwd, out) }), ...(stage === undefined ? {} : { stage }), ...(layout === undefined ? {} : { layout }), int8: options.int8 === true, force: options.force === true });
    io.stdout.write(`Written ${written}${format === 'hf' ? '' : ` (${(await stat(written)).size} bytes)`}\n`);
    return 0;
  },
};

