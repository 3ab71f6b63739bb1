import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, readSafetensors, type tf } from '@pofa/core';

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

/**
 * Reads every tensor of a checkpoint directory: `model.safetensors`, or the shards listed
 * in `model.safetensors.index.json`. A directory with only `pytorch_model.bin` is a
 * {@link CheckpointError} that says how to convert it. The caller disposes the tensors.
 *
 * @example
 * ```ts
 * const tensors = await readCheckpointTensors('checkpoints/bert-tiny');
 * ```
 */
export async function readCheckpointTensors(dir: string): Promise<Record<string, tf.Tensor>> {
  const single = join(dir, 'model.safetensors');
  if (await exists(single)) return readSafetensors(single);
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (await exists(indexPath)) {
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: Record<string, string> };
    if (index.weight_map === undefined || typeof index.weight_map !== 'object') {
      throw new CheckpointError(`${indexPath} has no weight_map`, { expected: 'a "weight_map" object of tensor name to shard file', received: JSON.stringify(Object.keys(index)) });
    }
    const out: Record<string, tf.Tensor> = {};
    for (const shard of new Set(Object.values(index.weight_map))) Object.assign(out, await readSafetensors(join(dir, shard)));
    return out;
  }
  const pickled = ['pytorch_model.bin', 'pytorch_model.bin.index.json', 'tf_model.h5'];
  const found: string[] = [];
  for (const name of pickled) if (await exists(join(dir, name))) found.push(name);
  throw new CheckpointError(`No safetensors weights in ${dir}`, {
    expected: 'model.safetensors or model.safetensors.index.json',
    received: found.length > 0 ? found.join(', ') : 'neither',
    hint:
      found.length > 0
        ? 'pofa does not unpickle PyTorch files (unpickling can run arbitrary code). Convert once with Python: ' +
          '`python -c "import torch; from safetensors.torch import save_file; ' +
          "sd = torch.load('pytorch_model.bin', map_location='cpu'); save_file({k: v.contiguous() for k, v in sd.items()}, 'model.safetensors', metadata={'format': 'pt'})\"` " +
          'or with transformers: `AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)`'
        : 'Save the model with save_pretrained (transformers) or savePretrained (pofa)',
  });
}
