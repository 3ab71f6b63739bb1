import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ConfigError, FileSystemError, tf } from '@pofa/core';
import { createModel, createModelConfig, loadPretrained, type EncoderModel } from '@pofa/models';
import { compressionReport, isPackedWeight, readBundle, unpackWeight, type Bundle } from '@pofa/sparse-kernels';
import type { ModelLocation } from '../commands/model-source';
import { writeModelBundle } from '../pipeline/bundles';
import { encoderSparsity } from '@pofa/prune';

/** A bundle `pofa bench` runs on the sparse-kernels runtime. */
export interface BenchBundle {
  /** The row's name: a run's stage (`dense`, `sparse`, `sparse-int8`) or the file's name. */
  name: string;
  path: string;
  /** The layout of its encoder Linear weights (`dense`, `csr`, `block`, `nm`, `bitmask`). */
  layout: string;
  /** Bits per stored encoder weight (32 or 8). */
  bits: number;
  /** Zeros of the encoder Linear weights. */
  sparsity: number;
  /** The bundle itself: the runtime runs it, onnxruntime and tfjs run models made from its weights. */
  bundle: Bundle;
}

/** What `pofa bench` measures for a target: its bundles, and the one the peers (onnxruntime fp32, tfjs) run. */
export interface BenchModels {
  bundles: BenchBundle[];
  /** A run's dense bundle, else the first: the model the pofa rows are compared with, dense. */
  peer: BenchBundle;
  /** Removes what was made for the measurement (a temporary bundle). */
  dispose(): Promise<void>;
}

/**
 * The model of a `.pofa` bundle as an `@pofa/models` model (its config from the bundle's
 * `source`, every weight unpacked; int8 weights dequantized), for running it densely on tfjs.
 *
 * @example
 * ```ts
 * const model = modelFromBundle(await readBundle('sparse.pofa'));
 * ```
 */
export function modelFromBundle(bundle: Bundle): EncoderModel {
  const { source } = bundle.config;
  if (source === undefined) {
    throw new ConfigError('The bundle does not carry its model config', { expected: 'a bundle written by exportBundle (config.source)', received: 'none', hint: 'Export it again with pofa export --format pofa' });
  }
  const config = createModelConfig({ ...source, model_type: bundle.config.family });
  // Every weight comes from the bundle (a strict load below): nothing to draw.
  const model = createModel(config, { task: bundle.config.task, numLabels: bundle.config.numLabels, initialize: false });
  const state: Record<string, tf.Tensor> = {};
  try {
    for (const [name, tensor] of bundle.tensors) state[name] = isPackedWeight(tensor) ? tf.tensor2d(unpackWeight(tensor), [tensor.rows, tensor.cols]) : tf.tensor(tensor.data, tensor.shape);
    model.loadStateDict(state);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(state));
  }
  model.eval();
  return model;
}

/**
 * The layout, bits and sparsity of a bundle's encoder Linear weights, with the bundle.
 *
 * @example
 * ```ts
 * describeBundle('sparse', 'run/bundles/sparse.pofa', await readBundle('run/bundles/sparse.pofa')); // { layout: 'csr', bits: 32, sparsity: 0.9, ... }
 * ```
 */
export function describeBundle(name: string, path: string, bundle: Bundle): BenchBundle {
  const packed = [...bundle.tensors.values()].find(isPackedWeight);
  const report = compressionReport(bundle);
  return { name, path, layout: packed === undefined ? 'dense' : packed.format, bits: report.bits, sparsity: report.parameters === 0 ? 0 : 1 - report.nonZeros / report.parameters, bundle };
}

/** A new folder in TMPDIR; one TMPDIR cannot hold is a {@link FileSystemError} that says so. */
async function temporaryFolder(): Promise<string> {
  try {
    return await mkdtemp(join(tmpdir(), 'pofa-bench-'));
  } catch (error) {
    const refused = FileSystemError.from(error, 'create the folder', tmpdir());
    const errno = FileSystemError.isInstance(refused) ? refused.errno : undefined;
    throw new FileSystemError(`Cannot make a temporary folder in ${tmpdir()} (TMPDIR) for the bundle of a Hugging Face directory`, {
      received: errno ?? refused.message,
      hint: 'Set TMPDIR to a folder you may write, or bench a .pofa bundle (pofa export --format pofa)',
      code: refused.code,
      cause: error,
      ...(errno === undefined ? {} : { errno }),
    });
  }
}

/**
 * The bundles of a `pofa bench` target and its peer bundle: a finished run (its bundles; the peer
 * is its dense bundle), a `.pofa` bundle (the peer is itself), or a Hugging Face directory
 * (written to a temporary bundle, CSR when at least half its encoder Linear weights are zero, else
 * dense: fp32, so the bundle holds the directory's weights exactly).
 *
 * @example
 * ```ts
 * const { bundles, peer, dispose } = await benchModels(await locateModel('pofa-out', cwd));
 * ```
 */
export async function benchModels(location: ModelLocation): Promise<BenchModels> {
  if (location.kind === 'huggingface') {
    const temporary = await temporaryFolder();
    const remove = () => rm(temporary, { recursive: true, force: true });
    try {
      const path = join(temporary, `${basename(location.dir)}.pofa`);
      const { model } = await loadPretrained(location.dir);
      try {
        await writeModelBundle(model, path, { layout: encoderSparsity(model) >= 0.5 ? 'csr' : 'dense' });
      } finally {
        model.dispose();
      }
      const bundle = describeBundle(basename(location.dir), path, await readBundle(path));
      return { bundles: [bundle], peer: bundle, dispose: remove };
    } catch (error) {
      await remove();
      throw error;
    }
  }
  const paths: Array<[string, string]> = location.kind === 'bundle'
    ? [[basename(location.path, '.pofa'), location.path]]
    : Object.entries(location.models.bundles).map(([stage, path]) => [stage, resolve(location.dir, path)]);
  if (paths.length === 0) throw new ConfigError(`The run in ${location.kind === 'run' ? location.dir : ''} has no bundles`, { expected: 'bundles in models.json', received: 'none', hint: 'Finish it with pofa compress --resume' });
  const bundles: BenchBundle[] = [];
  for (const [name, path] of paths) bundles.push(describeBundle(name, path, await readBundle(path)));
  const peer = bundles.find((bundle) => bundle.name === 'dense') ?? bundles[0];
  return { bundles, peer, dispose: async () => undefined };
}
