/**
 * TF-IDF features of texts, as scikit-learn's `TfidfVectorizer(ngram_range=(1, 2),
 * sublinear_tf=True)` computes them: lowercased words of two or more letters, digits or
 * underscores, their unigrams and bigrams, term frequency `1 + ln(count)`, smoothed inverse
 * document frequency `ln((1 + n) / (1 + df)) + 1` from the fitted texts, each row scaled to unit
 * length. Rows are stored sparse (CSR, typed arrays).
 */

/** Sparse rows (compressed sparse row): row `r` holds `columns`/`values` from `rowStart[r]` to `rowStart[r + 1]`. */
export interface SparseRows {
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
  numRows: number;
  numColumns: number;
}

/** A fitted TF-IDF vocabulary: its terms' column numbers and inverse document frequencies. */
export interface TfidfVectorizer<T> {
  /** Term → column (unigrams, and bigrams as "first second"). */
  vocabulary: ReadonlyMap<string, number>;
  idf: Float64Array;
  /** The rows of `items`; terms not in the vocabulary are left out. */
  transform(items: readonly T[]): SparseRows;
}

const WORD = /[\p{L}\p{N}\p{M}_]{2,}/gu;

/**
 * The terms of a text: its words (lowercased runs of two or more word characters) and the
 * bigrams of consecutive words; `prefix` keeps the terms of a pair's second text apart.
 *
 * @example
 * ```ts
 * textTerms('The storm, a COLD storm'); // ['the', 'storm', 'cold', 'storm', 'the storm', 'storm cold', 'cold storm']
 * ```
 */
export function textTerms(text: string, prefix = ''): string[] {
  const words = text.toLowerCase().match(WORD) ?? [];
  const terms = words.map((word) => prefix + word);
  for (let i = 0; i + 1 < words.length; i++) terms.push(`${prefix}${words[i]} ${words[i + 1]}`);
  return terms;
}

function counts(terms: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const term of terms) seen.set(term, (seen.get(term) ?? 0) + 1);
  return seen;
}

/**
 * Fits the vocabulary and inverse document frequencies on `items` (a document's terms are
 * `termsOf(item)`, e.g. {@link textTerms} of its text) and returns the vectorizer.
 *
 * @example
 * ```ts
 * const vectorizer = fitTfidf(texts, (text) => textTerms(text));
 * const rows = vectorizer.transform(texts); // rows.numColumns === vectorizer.vocabulary.size
 * ```
 */
export function fitTfidf<T>(items: readonly T[], termsOf: (item: T) => string[]): TfidfVectorizer<T> {
  const documents = items.map(termsOf);
  const frequency = new Map<string, number>();
  for (const terms of documents) for (const term of new Set(terms)) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  const sorted = [...frequency.keys()].sort();
  const vocabulary = new Map(sorted.map((term, column) => [term, column]));
  const idf = new Float64Array(sorted.length);
  const n = documents.length;
  sorted.forEach((term, column) => (idf[column] = Math.log((1 + n) / (1 + (frequency.get(term) as number))) + 1));
  const rowsOf = (termLists: ReadonlyArray<readonly string[]>): SparseRows => {
    const rowStart = new Int32Array(termLists.length + 1);
    const columnParts: number[][] = [];
    const valueParts: number[][] = [];
    let total = 0;
    termLists.forEach((terms, row) => {
      const entries = [...counts(terms)].flatMap(([term, count]) => {
        const column = vocabulary.get(term);
        return column === undefined ? [] : [[column, (1 + Math.log(count)) * idf[column]] as const];
      });
      entries.sort((a, b) => a[0] - b[0]);
      const norm = Math.sqrt(entries.reduce((sum, [, value]) => sum + value * value, 0));
      columnParts.push(entries.map(([column]) => column));
      valueParts.push(entries.map(([, value]) => (norm > 0 ? value / norm : 0)));
      total += entries.length;
      rowStart[row + 1] = total;
    });
    return { rowStart, columns: Int32Array.from(columnParts.flat()), values: Float64Array.from(valueParts.flat()), numRows: termLists.length, numColumns: sorted.length };
  };
  return { vocabulary, idf, transform: (next) => rowsOf(next.map(termsOf)) };
}
