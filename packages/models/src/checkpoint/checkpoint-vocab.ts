import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, readSafetensorsMetadata } from '@pofa/core';
import { loadVocab } from '../tokenizer/vocab-file';
import { checkpointWeightFiles } from './read-checkpoint-files';

const WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight';

/** The rows of a checkpoint's word embeddings and the file that holds them, from the safetensors headers alone. */
async function wordEmbeddingRows(dir: string): Promise<{ rows: number; file: string } | undefined> {
  const weights = await checkpointWeightFiles(dir);
  const files = weights.kind === 'single' ? weights.files : [...weights.shards].filter(([, names]) => names.some((name) => name.endsWith(WORD_EMBEDDINGS))).map(([file]) => file);
  for (const file of files) {
    const { tensors } = await readSafetensorsMetadata(file);
    const name = Object.keys(tensors).find((key) => key.endsWith(WORD_EMBEDDINGS));
    if (name !== undefined) return { rows: tensors[name].shape[0], file };
  }
  return undefined;
}

/**
 * The WordPiece vocabulary of a Hugging Face checkpoint directory (`vocab.txt`, one token per
 * line), checked against its weights: one token per row of the word embeddings. Without
 * `vocab.txt` it returns `undefined`, or, when `required` (a command that tokenizes text),
 * throws a {@link CheckpointError} that says where the file goes; a vocabulary of another size
 * is a `CheckpointError` naming both files.
 *
 * @example
 * ```ts
 * const vocab = await readCheckpointVocab('checkpoints/bert-base-uncased', { required: true }); // 30522 tokens
 * ```
 */
export async function readCheckpointVocab(dir: string, options: { required: true; purpose?: string }): Promise<string[]>;
export async function readCheckpointVocab(dir: string, options: { required: boolean; purpose?: string }): Promise<string[] | undefined>;
export async function readCheckpointVocab(dir: string, options: { required: boolean; purpose?: string }): Promise<string[] | undefined> {
  const path = join(dir, 'vocab.txt');
  const found = await access(path).then(() => true, () => false);
  if (!found) {
    if (!options.required) return undefined;
    throw new CheckpointError(`${path} is missing`, {
      expected: `the WordPiece vocabulary of the checkpoint, vocab.txt beside config.json${options.purpose === undefined ? '' : `, to ${options.purpose}`}`,
      received: 'no vocab.txt',
      hint: `Copy the vocab.txt of the tokenizer this model was trained with into ${dir} (transformers: AutoTokenizer.from_pretrained(NAME).save_pretrained("${dir}"))`,
    });
  }
  const vocab = await loadVocab(path);
  const embeddings = await wordEmbeddingRows(dir);
  if (embeddings !== undefined && embeddings.rows !== vocab.length) {
    throw new CheckpointError(`${path} does not fit the model's word embeddings`, {
      expected: `${embeddings.rows} tokens, one per row of ${WORD_EMBEDDINGS} in ${embeddings.file}`,
      received: `${vocab.length} tokens`,
      hint: 'Use the vocab.txt of the tokenizer this model was trained with (its line count must equal vocab_size in config.json)',
    });
  }
  return vocab;
}
