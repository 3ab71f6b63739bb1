import { join } from 'node:path';
import { makeFolders, writeFileAtomic, writeSafetensors } from '@pofa/core';
import type { BagOfEmbeddings } from './bag-of-embeddings';

/**
 * Writes a checkpoint folder that `loadPretrained(dir, { registry })` reads back once
 * `example/bag-of-embeddings` is registered: `config.json` (the model's config, `model_type`
 * included) and `model.safetensors` (its parameters by dotted name).
 *
 * @example
 * ```ts
 * await saveBagOfEmbeddings(model, 'checkpoints/reviews');
 * const { model: again } = await loadPretrained('checkpoints/reviews', { registry });
 * ```
 */
export async function saveBagOfEmbeddings(model: BagOfEmbeddings, dir: string): Promise<void> {
  await makeFolders(dir);
  await writeSafetensors(join(dir, 'model.safetensors'), model.stateDict());
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(model.config, null, 2)}\n`);
}
