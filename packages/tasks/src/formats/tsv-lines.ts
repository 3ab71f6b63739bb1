import { readFile } from 'node:fs/promises';
import { DataFormatError } from '../errors/data-format-error';
import { decodeUtf8 } from './utf8-text';

/** One non-blank line of a TSV file, split on tabs, with its 1-based line number. */
export interface TsvLine {
  lineNumber: number;
  fields: string[];
}

/**
 * Reads a tab-separated file the way the GLUE files are written: no quoting at all (a `"` is a
 * literal character), one record per line, `\n` or `\r\n` line ends, an optional UTF-8 byte
 * order mark, blank lines ignored. Throws a {@link DataFormatError} when the file cannot be read or
 * is not UTF-8 (naming the line).
 *
 * @example
 * ```ts
 * const lines = await readTsvLines('glue/RTE/dev.tsv');
 * lines[0]; // { lineNumber: 1, fields: ['index', 'sentence1', 'sentence2', 'label'] }
 * ```
 */
export async function readTsvLines(path: string): Promise<TsvLine[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataFormatError(`Cannot read ${path}`, {
      expected: 'a readable tab-separated file',
      received: (error as Error).message,
      hint: 'Check the folder and split names (GLUE files are <task folder>/<split>.tsv)',
      cause: error,
    });
  }
  return splitTsv(decodeUtf8(bytes, path));
}

/**
 * Splits TSV text into lines of fields (see {@link readTsvLines}).
 *
 * @example
 * ```ts
 * splitTsv('a\t"b\nc\td\n'); // [{ lineNumber: 1, fields: ['a', '"b'] }, { lineNumber: 2, fields: ['c', 'd'] }]
 * ```
 */
export function splitTsv(text: string): TsvLine[] {
  const content = text.startsWith('\ufeff') ? text.slice(1) : text;
  const lines: TsvLine[] = [];
  content.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    lines.push({ lineNumber: index + 1, fields: line.split('\t') });
  });
  return lines;
}
