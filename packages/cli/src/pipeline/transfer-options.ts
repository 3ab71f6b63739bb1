import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '@pofa/core';
import { BUNDLE_LAYOUTS } from './bundles';

/**
 * The options of `pofa transfer` (and of {@link runTransfer}), validated by zod. Absent training
 * settings take the paper's values for the task's kind (`PAPER_TRANSFER`).
 *
 * @example
 * ```ts
 * transferOptionsSchema.parse({ model: 'bert-base-90', task: 'sst2', data: 'glue/SST-2' });
 * ```
 */
export const transferOptionsSchema = z
  .object({
    /** A Hugging Face directory (BERT or DistilBERT with vocab.txt), or a pofa compress run folder (its sparse pre-trained model). */
    model: z.string(),
    /** A GLUE task with `data`, `squad` with `data`, an embedded task, or a .tsv/.jsonl file. */
    task: z.string(),
    data: z.string().optional(),
    /** The labels of a .tsv/.jsonl task: `classes` or `regression` (default: integers are classes, other numbers regression). */
    labels: z.enum(['classes', 'regression']).optional(),
    /** A dense model fine-tuned on the same task, distilled batch by batch. */
    teacher: z.string().optional(),
    /** Also distil hidden states (embeddings and every layer, uniform mapping); needs `teacher`. */
    distillHidden: z.boolean().default(false),
    out: z.string().default('pofa-transfer'),
    /** Caps the steps of each training stage (transfer, QAT). */
    steps: z.number().int().positive().optional(),
    /** Epochs of the transfer stage (default: the paper's). */
    epochs: z.number().positive().optional(),
    /** Epochs of the QAT stage (default: the paper's). */
    qatEpochs: z.number().positive().optional(),
    batchSize: z.number().int().positive().optional(),
    /** Examples per forward/backward pass (a divisor of the batch; default: what fits `TRANSFER_TOKEN_BUDGET` tokens and `TRANSFER_ATTENTION_BUDGET` query-key pairs). */
    microBatchSize: z.number().int().positive().optional(),
    /** Peak learning rate of the transfer stage (QAT keeps the paper's 1e-5 unless `qatLearningRate`). */
    learningRate: z.number().positive().optional(),
    qatLearningRate: z.number().positive().optional(),
    /** Tokens per sequence (default: 128 for GLUE and text tasks, 384 for SQuAD). */
    maxLength: z.number().int().min(8).max(4096).optional(),
    int8: z.boolean().default(true),
    perChannel: z.boolean().default(false),
    layout: z.enum(BUNDLE_LAYOUTS).default('csr'),
    /** Scores at most this many test (dev) examples, a seeded sample (default: all). */
    maxEval: z.number().int().positive().optional(),
    seed: z.number().int().default(42),
    resume: z.boolean().default(false),
    json: z.string().optional(),
  })
  .strict();

/** What {@link runTransfer} accepts. */
export type TransferOptions = z.input<typeof transferOptionsSchema>;

/** Parsed {@link TransferOptions}. */
export type TransferSettings = z.output<typeof transferOptionsSchema>;

/** The sparse model a transfer starts from: its Hugging Face directory and the vocabulary file beside it. */
export interface TransferSource {
  dir: string;
  vocab: string;
}

const isFile = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isFile() === true;

/**
 * Finds the model of `pofa transfer MODEL`: a Hugging Face directory (`config.json`, the weights,
 * `vocab.txt`), or a `pofa compress` run folder whose sparse pre-training finished (its
 * `sparse-pretrain/model` with the run's `vocab.txt`). Anything else is a `ConfigError` saying what
 * the folder lacks.
 *
 * @example
 * ```ts
 * await resolveTransferSource('bert-base-uncased-sparse-90', process.cwd()); // { dir, vocab }
 * ```
 */
export async function resolveTransferSource(model: string, cwd: string): Promise<TransferSource> {
  const dir = resolve(cwd, model);
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new ConfigError(`Cannot transfer ${model}`, {
      expected: 'a Hugging Face directory (config.json, model.safetensors, vocab.txt) or a pofa compress run folder',
      received: info === undefined ? 'no such folder' : 'a file',
      hint: 'Pass the folder of a sparse pre-trained checkpoint, such as a download of Intel/bert-base-uncased-sparse-90-unstructured-pruneofa',
    });
  }
  const runModel = join(dir, 'sparse-pretrain', 'model');
  if (await isFile(join(dir, 'run.json'))) {
    if (!(await isFile(join(dir, 'sparse-pretrain', 'done.json'))) || !(await isFile(join(dir, 'vocab.txt')))) {
      throw new ConfigError(`The run in ${model} has no finished sparse pre-trained model`, {
        expected: 'a pofa compress run with sparse-pretrain/done.json and vocab.txt',
        received: 'a run that stopped earlier',
        hint: `Finish it with pofa compress --resume --out ${model}`,
      });
    }
    return { dir: runModel, vocab: join(dir, 'vocab.txt') };
  }
  const missing = [];
  if (!(await isFile(join(dir, 'config.json')))) missing.push('config.json');
  if (!(await isFile(join(dir, 'model.safetensors'))) && !(await isFile(join(dir, 'model.safetensors.index.json')))) missing.push('model.safetensors');
  if (!(await isFile(join(dir, 'vocab.txt')))) missing.push('vocab.txt');
  if (missing.length > 0) {
    throw new ConfigError(`${model} is not a complete Hugging Face checkpoint`, {
      expected: 'config.json, model.safetensors (or model.safetensors.index.json with its shards) and vocab.txt',
      received: `a folder without ${missing.join(', ')}`,
      hint: missing.includes('model.safetensors') ? 'Convert pytorch_model.bin to safetensors first (safetensors.torch.save_file)' : 'Copy the missing files from the model\'s repository',
    });
  }
  return { dir, vocab: join(dir, 'vocab.txt') };
}
