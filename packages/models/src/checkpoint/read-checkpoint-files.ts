import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, readSafetensors, readSafetensorsMetadata, type tf } from '@pofa/core';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads `config.json` of a Hugging Face checkpoint directory as a plain object.
 *
 * @example
 * ```ts
 * const config = await readConfigJson('checkpoints/bert-tiny');
 * ```
 */
export async function readConfigJson(dir: string): Promise<Record<string, unknown>> {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CheckpointError(`Cannot read ${path}`, {
      expected: 'a Hugging Face checkpoint directory with config.json',
      received: String((error as { code?: string }).code ?? error),
      hint: 'Point to the directory that save_pretrained wrote',
      cause: error,
    });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(`${path} is not a JSON object`, { expected: 'a JSON object', received: text.slice(0, 60), cause: error });
  }
}

/** Where a checkpoint's weights are: one `model.safetensors`, or shards with the tensors each holds. */
export type CheckpointWeightFiles =
  | { kind: 'single'; files: [string] }
  | { kind: 'sharded'; index: string; files: string[]; shards: Map<string, string[]> };

function checkpointFilesError(dir: string, received: string, hint: string): CheckpointError {
  return new CheckpointError(`No safetensors weights in ${dir}`, { expected: 'model.safetensors or model.safetensors.index.json', received, hint });
}

async function readShardIndex(indexPath: string): Promise<Map<string, string[]>> {
  let index: { weight_map?: unknown };
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: unknown };
  } catch (error) {
    throw new CheckpointError(`Cannot read ${indexPath}`, { expected: 'a JSON object with a "weight_map"', received: String((error as Error).message ?? error), hint: 'Copy the index file again; it lists which shard holds each tensor', cause: error });
  }
  const map = index?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.values(map).some((file) => typeof file !== 'string' || file.includes('..'))) {
    throw new CheckpointError(`${indexPath} has no valid weight_map`, {
      expected: 'a "weight_map" object of tensor name to a shard file in the same folder',
      received: typeof map === 'object' && map !== null ? JSON.stringify(Object.values(map).find((file) => typeof file !== 'string' || file.includes('..'))) : JSON.stringify(Object.keys(index ?? {})),
      hint: 'Write the index as transformers does (save_pretrained with max_shard_size)',
    });
  }
  const shards = new Map<string, string[]>();
  for (const [name, file] of Object.entries(map as Record<string, string>)) shards.set(file, [...(shards.get(file) ?? []), name]);
  return shards;
}

/**
 * The safetensors files of a checkpoint directory: `model.safetensors`, or every shard that
 * `model.safetensors.index.json` names (each checked to exist, so a missing shard fails before
 * anything is read). A directory with only `pytorch_model.bin` is a {@link CheckpointError}
 * that says how to convert it.
 *
 * @example
 * ```ts
 * const { files } = await checkpointWeightFiles('checkpoints/bert-large'); // ['.../model-00001-of-00002.safetensors', ...]
 * ```
 */
export async function checkpointWeightFiles(dir: string): Promise<CheckpointWeightFiles> {
  const single = join(dir, 'model.safetensors');
  if (await exists(single)) return { kind: 'single', files: [single] };
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (await exists(indexPath)) {
    const shards = await readShardIndex(indexPath);
    for (const [file, names] of shards) {
      if (await exists(join(dir, file))) continue;
      throw new CheckpointError(`A shard of ${indexPath} is missing`, {
        expected: `the ${shards.size} shard files its weight_map names, in ${dir}`,
        received: `no ${file} (it holds ${names.length} tensors, such as ${names[0]})`,
        hint: `Copy ${file} into ${dir} beside the index (download every model-*-of-*.safetensors file of the checkpoint)`,
      });
    }
    return { kind: 'sharded', index: indexPath, files: [...shards.keys()].map((file) => join(dir, file)), shards: new Map([...shards].map(([file, names]) => [join(dir, file), names])) };
  }
  const pickled = ['pytorch_model.bin', 'pytorch_model.bin.index.json', 'tf_model.h5'];
  const found: string[] = [];
  for (const name of pickled) if (await exists(join(dir, name))) found.push(name);
  if (found.length === 0) throw checkpointFilesError(dir, 'neither', 'Save the model with save_pretrained (transformers) or savePretrained (pofa)');
  throw checkpointFilesError(
    dir,
    found.join(', '),
    'pofa does not unpickle PyTorch files (unpickling can run arbitrary code). Convert once with Python: ' +
      '`python -c "import torch; from safetensors.torch import save_file; ' +
      "sd = torch.load('pytorch_model.bin', map_location='cpu'); save_file({k: v.contiguous() for k, v in sd.items()}, 'model.safetensors', metadata={'format': 'pt'})\"` " +
      'or with transformers: `AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)`',
  );
}

/**
 * Reads every tensor of a checkpoint directory ({@link checkpointWeightFiles}): F32, F16 and
 * BF16 weights all become float32 tensors. A shard that lacks a tensor its index assigns to it
 * is a {@link CheckpointError}. The caller disposes the tensors.
 *
 * @example
 * ```ts
 * const tensors = await readCheckpointTensors('checkpoints/bert-tiny');
 * ```
 */
export async function readCheckpointTensors(dir: string): Promise<Record<string, tf.Tensor>> {
  const weights = await checkpointWeightFiles(dir);
  if (weights.kind === 'single') return readSafetensors(weights.files[0]);
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const file of weights.files) {
      Object.assign(out, await readSafetensors(file));
      const absent = (weights.shards.get(file) ?? []).filter((name) => !(name in out));
      if (absent.length > 0) {
        throw new CheckpointError(`${file} lacks tensors that ${weights.index} puts in it`, {
          expected: `${absent[0]}${absent.length > 1 ? ` and ${absent.length - 1} more` : ''} in that shard`,
          received: 'a shard without them',
          hint: 'The shard and the index come from different checkpoints: copy both again from the same one',
        });
      }
    }
  } catch (error) {
    for (const tensor of Object.values(out)) tensor.dispose();
    throw error;
  }
  return out;
}

/**
 * The number of weights (elements of every tensor) in a checkpoint directory, from the
 * safetensors headers alone: what a config must not exceed before a model is built for it.
 *
 * @example
 * ```ts
 * await checkpointWeightCount('checkpoints/bert-base-uncased'); // 109,514,298 (with the MLM head)
 * ```
 */
export async function checkpointWeightCount(dir: string): Promise<number> {
  let count = 0;
  for (const file of (await checkpointWeightFiles(dir)).files) {
    const { tensors } = await readSafetensorsMetadata(file);
    for (const { shape } of Object.values(tensors)) count += shape.reduce((product, size) => product * size, 1);
  }
  return count;
}
