import { resolve } from 'node:path';
import { tf } from '@pofa/core';
import { initCliBackend } from '../pipeline/backend';
import type { RunSizes } from '../pipeline/scales';
import type { Say } from '../run-folder';

/**
 * The tfjs backend in use: the one already set by the caller (the `pofa` command initialises
 * it), else the CLI's choice ({@link initCliBackend}: pofa-native where it loads).
 *
 * @example
 * ```ts
 * const backend = await ensureBackend(); // 'pofa-native'
 * ```
 */
export async function ensureBackend(): Promise<string> {
  if (tf.engine().backendName !== undefined && tf.engine().backendName !== null) return tf.getBackend();
  return initCliBackend();
}

/**
 * What every stage of a reproduce run depends on, so that a change of it empties the work folder
 * (`openWorkFolder`): the benchmark, the seed, the corpus (the embedded one's size, or a
 * `--corpus` file), the vocabulary size, the sequence length, the task example limits and the
 * batch size. The steps and learning rates of each stage, the tasks, the models (a `--teacher`
 * checkpoint is part of its row's stage identities) and `checkpointEvery` are not: each stage
 * checks its own settings.
 *
 * @example
 * ```ts
 * runIdentity('prune-ofa', { seed: 0 }, SCALES.tiny); // { benchmark: 'prune-ofa', seed: 0, corpus: { embedded: 1500 }, vocabSize: 800, ... }
 * ```
 */
export function runIdentity(
  benchmark: string,
  settings: { seed: number; corpus?: string },
  sizes: RunSizes,
): unknown {
  const { vocabSize, maxLength, batchSize, taskExamples } = sizes;
  const corpus = settings.corpus === undefined ? { embedded: sizes.corpusTexts } : { file: resolve(settings.corpus) };
  return { benchmark, seed: settings.seed, corpus, vocabSize, maxLength, batchSize, taskExamples };
}

/**
 * A logger that prefixes lines with the elapsed seconds; without `log`, silent.
 *
 * @example
 * ```ts
 * const say = timedLogger((line) => process.stderr.write(`${line}\n`));
 * say('teacher pre-training done'); // "[0.0 s] teacher pre-training done"
 * ```
 */
export function timedLogger(log: ((line: string) => void) | undefined): Say {
  const started = performance.now();
  return (text) => {
    if (typeof log === 'function') log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${text}`);
  };
}
