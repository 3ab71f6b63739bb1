import { z } from 'zod';
import { fnv1a, splitKeys } from './hashing';
import type { ModuleImporter } from './dataset-packages';
import { loadMobyDickChapters } from './moby-dick-paragraphs';
import { loadSotuSpeeches } from './sotu-speeches';
import { parseOptions } from './task-options';
import { countWords } from './text-segmentation';

/** Options of {@link loadMlmCorpus}. */
export const MlmCorpusOptionsSchema = z
  .object({
    /** Which corpora to include: State of the Union speeches, Moby Dick chapters. */
    sources: z.array(z.enum(['sotu', 'moby-dick'])).nonempty().default(['sotu', 'moby-dick']),
    /** The fraction of documents (speeches, chapters) held out for validation. */
    validationFraction: z.number().gt(0).lt(1).default(0.05),
    seed: z.number().int().default(0),
    importer: z.custom<ModuleImporter>((value) => typeof value === 'function').optional(),
  })
  .strict();

/** Options of {@link loadMlmCorpus}, as the caller writes them. */
export type MlmCorpusOptions = z.input<typeof MlmCorpusOptionsSchema>;

/** Sizes of one split of the MLM corpus. */
export interface MlmSplitStats {
  documents: number;
  segments: number;
  words: number;
  characters: number;
}

/** A masked-LM pre-training corpus: text segments (paragraphs, sentence runs) split by document. */
export interface MlmCorpus {
  train: string[];
  validation: string[];
  /** The documents of each split (`<year>-<president>` speeches, `moby-dick/<chapter>` chapters). */
  documents: { train: string[]; validation: string[] };
  stats: { train: MlmSplitStats; validation: MlmSplitStats };
}

/**
 * The masked-LM pre-training corpus of the embedded default: State of the Union passages and
 * Moby Dick paragraphs, whitespace normalised, chapter headings dropped. Whole documents
 * (a speech, a chapter) go to train or validation, chosen with a seeded shuffle per source, so no
 * document is in both; the segments keep their document's reading order.
 *
 * @example
 * ```ts
 * const corpus = await loadMlmCorpus({ sources: ['moby-dick'], validationFraction: 0.05 });
 * console.log(corpus.stats.train.segments, corpus.validation[0]);
 * ```
 */
export async function loadMlmCorpus(options: MlmCorpusOptions = {}): Promise<MlmCorpus> {
  const { sources, validationFraction, seed, importer } = parseOptions(MlmCorpusOptionsSchema, options, 'loadMlmCorpus');
  const documents: Array<{ id: string; source: string; segments: string[] }> = [];
  if (sources.includes('sotu')) {
    for (const speech of await loadSotuSpeeches(importer)) documents.push({ id: speech.id, source: 'sotu', segments: speech.passages });
  }
  if (sources.includes('moby-dick')) {
    for (const chapter of await loadMobyDickChapters(importer)) documents.push({ id: chapter.id, source: 'moby-dick', segments: chapter.paragraphs });
  }
  const sourceOf = new Map(documents.map((document) => [document.id, document.source]));
  const assignment = splitKeys(
    documents.map((document) => document.id),
    { train: 1 - validationFraction, validation: validationFraction },
    seed + fnv1a('mlm'),
    (id) => sourceOf.get(id) as string,
  );
  const corpus: MlmCorpus = {
    train: [],
    validation: [],
    documents: { train: [], validation: [] },
    stats: { train: emptyStats(), validation: emptyStats() },
  };
  for (const document of documents) {
    const split = assignment.get(document.id) === 'train' ? 'train' : 'validation';
    corpus.documents[split].push(document.id);
    corpus[split].push(...document.segments);
    const stats = corpus.stats[split];
    stats.documents += 1;
    stats.segments += document.segments.length;
    for (const segment of document.segments) {
      stats.words += countWords(segment);
      stats.characters += segment.length;
    }
  }
  return corpus;
}

function emptyStats(): MlmSplitStats {
  return { documents: 0, segments: 0, words: 0, characters: 0 };
}
