import { DataFormatError } from '../errors/data-format-error';

/**
 * The text of a UTF-8 data file (user TSV/JSONL, GLUE TSV, SQuAD JSON): bytes that are not UTF-8
 * are a {@link DataFormatError} naming their line, never read as U+FFFD into the examples.
 *
 * @example
 * ```ts
 * const text = decodeUtf8(await readFile('reviews.tsv'), 'reviews.tsv');
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1; ; line += 1) {
      const end = bytes.indexOf(0x0a, start);
      try {
        strict.decode(bytes.subarray(start, end < 0 ? bytes.length : end));
      } catch {
        throw new DataFormatError(`${path}:${line}: not valid UTF-8`, { expected: 'text encoded as UTF-8', received: 'bytes that are not UTF-8', hint: 'Save the file as UTF-8 (iconv -f latin1 -t utf-8 converts Latin-1)' });
      }
      if (end < 0) throw new DataFormatError(`${path}: not valid UTF-8`, { expected: 'text encoded as UTF-8', received: 'bytes that are not UTF-8' });
      start = end + 1;
    }
  }
}
