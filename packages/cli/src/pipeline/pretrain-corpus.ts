import { createRandom } from '@pofa/core';
import { loadMlmCorpus, type RunTask } from '@pofa/tasks';

/**
 * What the vocabulary and masked-LM pre-training of a run read: the texts, and their identity
 * (part of the cache keys of the vocabulary and of the pre-trained teacher, so that runs on
 * different corpora never share a cached artifact).
 */
export interface PretrainCorpus {
  texts: string[];
  identity: PretrainCorpusIdentity;
}

/** The identity of a {@link PretrainCorpus}: the embedded sample, plus the task whose training texts joined it. */
export interface PretrainCorpusIdentity {
  corpus: 'sotu+moby-dick';
  /** Segments of the embedded corpus. */
  texts: number;
  seed: number;
  /** Domain-adaptive pre-training: the task (its data's identity) whose training texts were added, how many, and how many times each. */
  domain?: { task: string; data: unknown; texts: number; repeats: number };
}

/**
 * The MLM pre-training texts: a seeded sample of the embedded corpus (State of the Union and
 * Moby Dick) of `count` segments.
 *
 * @example
 * ```ts
 * const texts = await corpusTexts(3000, 0);
 * ```
 */
export async function corpusTexts(count: number, seed: number): Promise<string[]> {
  const corpus = await loadMlmCorpus({ sources: ['sotu', 'moby-dick'], seed });
  const texts = corpus.train.filter((text) => text.trim() !== '');
  const random = createRandom(seed);
  for (let i = texts.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [texts[i], texts[j]] = [texts[j], texts[i]];
  }
  return texts.slice(0, count);
}

/**
 * The texts of a classification or regression task's training split as masked LM reads them:
 * each example's text and its pair text (sentence-pair tasks), each distinct text once. Never the
 * validation or test split: those stay unseen until they are scored.
 *
 * @example
 * ```ts
 * trainingTexts(task); // ['a small lake', 'a domesticated carnivorous mammal', ...]
 * ```
 */
export function trainingTexts(task: RunTask): string[] {
  const texts = task.train.flatMap((example) => (example.textPair === undefined ? [example.text] : [example.text, example.textPair]));
  return [...new Set(texts.filter((text) => text.trim() !== ''))];
}

/**
 * How many times each training text of a user's task joins the pre-training corpus. Measured with
 * `pofa compress` on the WordNet task of `benchmarks/user-task` (seed 0, 5 epochs of fine-tuning):
 * dense accuracy 0.42 without the task's texts, 0.81 with them once, 0.86 three times.
 */
export const DOMAIN_TEXT_REPEATS = 3;

/**
 * The task whose training texts adapt the pre-training to its domain, or undefined: a user's
 * `.tsv` / `.jsonl` file (its identity names the file) does; the embedded tasks and GLUE folders do
 * not, so their vocabulary and teacher stay the ones every embedded task shares (on `spam`, adding
 * its e-mails lowered the dense F1 from 0.92 to 0.73).
 *
 * @example
 * ```ts
 * domainTask(await loadAnyRunTask('reviews.tsv', undefined, options)); // the task
 * domainTask(await loadAnyRunTask('spam', undefined, options)); // undefined
 * ```
 */
export function domainTask(task: RunTask): RunTask | undefined {
  const identity = task.identity as { file?: unknown } | null;
  return typeof identity === 'object' && identity !== null && typeof identity.file === 'string' ? task : undefined;
}

/**
 * The pre-training corpus of a run: the embedded sample alone, or, for domain-adaptive
 * pre-training (given a `task`), the embedded sample plus the task's training texts
 * ({@link trainingTexts}) `repeats` times each, so that the WordPiece vocabulary has the task's
 * words and the teacher has read its domain before fine-tuning.
 *
 * @example
 * ```ts
 * const corpus = pretrainCorpus(await corpusTexts(3000, 0), { seed: 0 }, task); // 3000 + 3 × the task's training texts
 * ```
 */
export function pretrainCorpus(embedded: string[], settings: { seed: number }, task?: RunTask, repeats = DOMAIN_TEXT_REPEATS): PretrainCorpus {
  const identity: PretrainCorpusIdentity = { corpus: 'sotu+moby-dick', texts: embedded.length, seed: settings.seed };
  if (task === undefined || repeats <= 0) return { texts: embedded, identity };
  const own = trainingTexts(task);
  const texts = [...embedded, ...Array.from({ length: repeats }, () => own).flat()];
  return { texts, identity: { ...identity, domain: { task: task.name, data: task.identity, texts: own.length, repeats } } };
}
