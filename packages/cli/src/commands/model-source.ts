import { lstat, open, readFile, readlink, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import { z } from 'zod';
import { compressOptionsSchema, type CompressSettings } from '../pipeline/compress-options';

/**
 * What `models.json` of a finished `pofa compress` run names (paths relative to the run folder, or absolute).
 *
 * @example
 * ```ts
 * const models = runModelsSchema.parse(JSON.parse(await readFile('pofa-out/models.json', 'utf8')));
 * ```
 */
export const runModelsSchema = z
  .object({
    /** Absent in a `pofa transfer` run without a teacher. */
    dense: z.string().optional(),
    sparse: z.string(),
    'sparse-int8': z.string().optional(),
    'sparse-int8-safetensors': z.string().optional(),
    vocab: z.string(),
    bundles: z.record(z.enum(['dense', 'sparse', 'sparse-int8']), z.string()),
    /** The ONNX model of each stage (`pofa transfer` runs). */
    onnx: z.record(z.enum(['sparse', 'sparse-int8']), z.string()).optional(),
  })
  .strict();

/** The parsed `models.json` of a run. */
export type RunModels = z.output<typeof runModelsSchema>;

/** A model a command reads: a finished run folder, a `.pofa` bundle, or a Hugging Face directory. */
export type ModelLocation =
  | { kind: 'run'; dir: string; settings: CompressSettings; models: RunModels }
  | { kind: 'bundle'; path: string }
  | { kind: 'huggingface'; dir: string };

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * True when the file at `path` starts with the `.pofa` magic (`POFA`); false for other files and
 * for paths that cannot be opened.
 *
 * @example
 * ```ts
 * await isBundleFile('pofa-out/bundles/sparse.pofa'); // true
 * ```
 */
export async function isBundleFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (handle === undefined) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.toString('latin1') === 'POFA';
  } finally {
    await handle.close();
  }
}

/** The files of a Hugging Face checkpoint directory: naming one of them means its folder. */
const CHECKPOINT_FILES = ['config.json', 'model.safetensors', 'model.safetensors.index.json', 'vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'model-int8.safetensors'];

/**
 * The Hugging Face checkpoint folder that `file` belongs to (`hf/config.json`, `hf/vocab.txt`,
 * `hf/model.safetensors` → `hf`), or undefined when the file is not one of a checkpoint's files
 * or its folder has no `config.json`.
 *
 * @example
 * ```ts
 * await checkpointFolderOf('/abs/bert/model.safetensors'); // '/abs/bert'
 * ```
 */
export async function checkpointFolderOf(file: string): Promise<string | undefined> {
  if (!CHECKPOINT_FILES.includes(basename(file))) return undefined;
  const config = await stat(join(dirname(file), 'config.json')).catch(() => undefined);
  return config?.isFile() === true ? dirname(file) : undefined;
}

/**
 * The settings of a finished run as `pofa compress` names them: a compress run's own; for a
 * `pofa transfer` run, its task, data, seed and QAT scheme (the other compress settings at their
 * defaults: unstructured pattern, so csr bundles).
 */
function runSettings(run: { command?: string; settings?: unknown }): CompressSettings {
  if (run.command !== 'transfer') return compressOptionsSchema.parse(run.settings ?? {});
  const { task, data, seed, perChannel, labels } = (run.settings ?? {}) as Record<string, unknown>;
  return compressOptionsSchema.parse({ task, data, seed, perChannel, labels });
}

/**
 * Why `stat` of `path` failed, in words: a missing path (or a symbolic link to one), a loop of
 * links, permission denied, a file where a folder goes; else the system's code.
 *
 * @example
 * ```ts
 * await unreadablePath('missing', error); // 'no such file or folder'
 * ```
 */
export async function unreadablePath(path: string, error: NodeJS.ErrnoException): Promise<string> {
  if (error.code === 'ENOENT') {
    const link = await lstat(path).then((info) => info.isSymbolicLink(), () => false);
    return link ? `a symbolic link to ${await readlink(path).catch(() => 'a path')}, which does not exist` : 'no such file or folder';
  }
  const words: Record<string, string> = { ELOOP: 'a loop of symbolic links', EACCES: 'permission denied', ENOTDIR: 'a part of the path is a file, not a folder', ENAMETOOLONG: 'a name too long' };
  return (error.code === undefined ? undefined : words[error.code]) ?? error.code ?? String(error);
}

/**
 * Tells what a path holds: a folder with `run.json` and `models.json` (a finished compress run),
 * a file starting with the `POFA` magic (a bundle), or a folder with `config.json` (a Hugging
 * Face checkpoint, as `savePretrained` writes). Anything else, or an unfinished run, is a
 * `ConfigError` that says what was expected.
 *
 * @example
 * ```ts
 * const location = await locateModel('pofa-out', process.cwd()); // { kind: 'run', ... }
 * ```
 */
export async function locateModel(path: string, cwd: string): Promise<ModelLocation> {
  const target = resolve(cwd, path);
  const info = await stat(target).catch(async (error: NodeJS.ErrnoException) => {
    throw new ConfigError(`Cannot read ${path}`, { expected: 'a run folder, a .pofa bundle or a Hugging Face directory', received: await unreadablePath(target, error), hint: 'Check the path' });
  });
  if (!info.isFile() && !info.isDirectory()) {
    // Opening a FIFO to read its magic would wait for a writer forever.
    throw new ConfigError(`${path} is not a regular file or folder`, { expected: 'a run folder, a .pofa bundle or a Hugging Face directory', received: 'a device, FIFO or socket', hint: 'Check the path' });
  }
  if (info.isFile()) {
    if (await isBundleFile(target)) return { kind: 'bundle', path: target };
    const folder = await checkpointFolderOf(target);
    if (folder !== undefined) return { kind: 'huggingface', dir: folder };
    throw new ConfigError(`${path} is not a .pofa bundle`, {
      expected: 'a file starting with the POFA magic',
      received: 'other bytes',
      hint: `Pass a run folder, a .pofa file or a Hugging Face directory${extname(target) === '.safetensors' ? ' (the folder with config.json beside the .safetensors file)' : ''}`,
    });
  }
  const run = (await readJson(join(target, 'run.json')).catch(() => undefined)) as { command?: string; settings?: unknown; completed?: boolean } | undefined;
  if (run !== undefined) {
    if (run.completed !== true) {
      throw new ConfigError(`${path} holds an unfinished run`, { expected: 'a finished pofa compress run', received: 'run.json without completed: true', hint: 'Finish it with pofa compress --resume --out DIR' });
    }
    const models = runModelsSchema.safeParse(await readJson(join(target, 'models.json')).catch(() => undefined));
    if (!models.success) {
      throw new ConfigError(`${path} has no readable models.json`, { expected: 'the models.json pofa compress writes', received: models.error.issues[0]?.message ?? 'none', hint: 'Run pofa compress again with this version of pofa' });
    }
    return { kind: 'run', dir: target, settings: runSettings(run), models: models.data };
  }
  const config = await stat(join(target, 'config.json')).catch(() => undefined);
  if (config?.isFile() === true) return { kind: 'huggingface', dir: target };
  throw new ConfigError(`Cannot tell what ${path} holds`, {
    expected: 'a pofa compress run folder (run.json, models.json), a .pofa bundle, or a Hugging Face directory (config.json, model.safetensors)',
    received: 'a folder with none of these',
    hint: 'Check the path',
  });
}

/**
 * The model folder of a stage of a run (`dense`, `sparse`, `sparse-int8`), or a `ConfigError` naming the stages it has.
 *
 * @example
 * ```ts
 * runStageDir(location, 'sparse'); // '/abs/pofa-out/sparse-transfer/model'
 * ```
 */
export function runStageDir(location: Extract<ModelLocation, { kind: 'run' }>, stage: 'dense' | 'sparse' | 'sparse-int8'): string {
  const path = location.models[stage];
  if (path === undefined) {
    throw new ConfigError(`The run in ${location.dir} has no ${stage} model`, { expected: 'dense, sparse or sparse-int8 (a run with int8)', received: stage, hint: 'Pick another --stage' });
  }
  return resolve(location.dir, path);
}
