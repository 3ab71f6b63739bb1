import { describeValue } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import { splitTsv } from './tsv-lines';

/** A user example before its label is resolved to a class index or a number. */
export interface UserDataRow {
  lineNumber: number;
  id?: string;
  text: string;
  textPair?: string;
  /** As written: a TSV cell, or a JSON string or number; `undefined` when the row has none. */
  label?: string | number;
}

/**
 * The columns (TSV) or fields (JSONL) that may hold an example's text and its pair, in order of
 * preference: pofa's own names, then the GLUE ones (`sentence`, `sentence1`/`sentence2`,
 * `question1`/`question2`, `question`/`sentence`, `premise`/`hypothesis`).
 */
const TEXT_NAMES: ReadonlyArray<readonly [string, string | undefined]> = [
  ['text', 'text_pair'],
  ['sentence1', 'sentence2'],
  ['question1', 'question2'],
  ['question', 'sentence'],
  ['premise', 'hypothesis'],
  ['sentence', undefined],
];

const ACCEPTED_TEXT_NAMES = 'text (and text_pair), or the GLUE names sentence, sentence1/sentence2, question1/question2, question/sentence, premise/hypothesis';

/** The text and pair names among `names`, or undefined when none is a text name. */
function textNames(names: readonly string[]): { text: string; pair?: string } | undefined {
  const found = TEXT_NAMES.find(([text]) => names.includes(text));
  if (found === undefined) return undefined;
  const [text, pair] = found;
  return pair !== undefined && names.includes(pair) ? { text, pair } : { text };
}

function emptyText(path: string, lineNumber: number, column: string): DataFormatError {
  return new DataFormatError(`${path}:${lineNumber}: empty ${column}`, { expected: 'a text with at least one non-space character', received: 'an empty text', hint: 'Remove the line or fill in its text' });
}

/**
 * Reads a TSV with a header naming the text column (`text`, or a GLUE name such as `sentence` or
 * `sentence1`/`sentence2`), optional `text_pair`, `label`, `id` (others are ignored); fields are
 * split on tabs with no quoting; labels lose the spaces around them. An empty text is an error naming its line.
 *
 * @example
 * ```ts
 * readUserTsvRows('text\tlabel\ngood\tpos\n', 'reviews.tsv'); // [{ lineNumber: 2, text: 'good', label: 'pos' }]
 * ```
 */
export function readUserTsvRows(content: string, path: string): UserDataRow[] {
  const lines = splitTsv(content);
  if (lines.length === 0) throw emptyFile(path);
  const header = lines[0].fields.map((name) => name.trim());
  const names = textNames(header);
  if (names === undefined) {
    throw new DataFormatError(`${path}:${lines[0].lineNumber}: the header has no "text" column`, {
      expected: `a header line naming the columns: ${ACCEPTED_TEXT_NAMES}; optionally label, id`,
      received: describeValue(header.join(' | ')),
    });
  }
  const textColumn = header.indexOf(names.text);
  const pairColumn = names.pair === undefined ? -1 : header.indexOf(names.pair);
  const labelColumn = header.indexOf('label');
  const idColumn = header.indexOf('id');
  return lines.slice(1).map(({ lineNumber, fields }) => {
    if (fields.length !== header.length) {
      throw new DataFormatError(`${path}:${lineNumber}: wrong number of columns`, {
        expected: `${header.length} tab-separated columns, as in the header`,
        received: `${fields.length}`,
        hint: 'Fields are split on tabs only: remove tabs inside texts',
      });
    }
    if (fields[textColumn].trim() === '') throw emptyText(path, lineNumber, names.text);
    if (pairColumn >= 0 && fields[pairColumn].trim() === '') throw emptyText(path, lineNumber, names.pair as string);
    const row: UserDataRow = { lineNumber, text: fields[textColumn] };
    if (pairColumn >= 0) row.textPair = fields[pairColumn];
    // Spaces around a label are no part of its name: "spam " and "spam" are one class.
    if (labelColumn >= 0) row.label = fields[labelColumn].trim();
    if (idColumn >= 0) row.id = fields[idColumn];
    return row;
  });
}

/**
 * Reads JSON Lines: one object per line with a string `text` (or a GLUE name: `sentence`,
 * `sentence1`/`sentence2`, ...), optional string `text_pair`, optional `label` (string or number)
 * and optional `id`; a string label loses the spaces around it. An empty text is an error naming its line.
 *
 * @example
 * ```ts
 * readUserJsonlRows('{"text": "good", "label": 1}\n', 'reviews.jsonl'); // [{ lineNumber: 1, text: 'good', label: 1 }]
 * ```
 */
export function readUserJsonlRows(content: string, path: string): UserDataRow[] {
  const rows: UserDataRow[] = [];
  const text = content.startsWith('\ufeff') ? content.slice(1) : content;
  text.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DataFormatError(`${path}:${lineNumber}: not valid JSON`, {
        expected: 'one JSON object per line, like {"text": "...", "label": "..."}',
        received: (error as Error).message,
        cause: error,
      });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DataFormatError(`${path}:${lineNumber}: not a JSON object`, {
        expected: 'an object like {"text": "...", "label": "..."}',
        received: describeValue(value),
      });
    }
    const record = value as Record<string, unknown>;
    const field = (name: string, valid: (item: unknown) => boolean, expected: string): void => {
      if (record[name] !== undefined && !valid(record[name])) {
        throw new DataFormatError(`${path}:${lineNumber}: field "${name}" has the wrong type`, {
          expected,
          received: describeValue(record[name]),
        });
      }
    };
    const names = textNames(Object.keys(record));
    if (names === undefined) {
      throw new DataFormatError(`${path}:${lineNumber}: missing field "text"`, {
        expected: `a string field on every line: ${ACCEPTED_TEXT_NAMES}`,
        received: describeValue(record),
      });
    }
    field(names.text, (item) => typeof item === 'string', 'a string');
    if (names.pair !== undefined) field(names.pair, (item) => typeof item === 'string', 'a string');
    field('label', (item) => item === null || typeof item === 'string' || Number.isFinite(item), 'a class name, a number or null');
    field('id', (item) => typeof item === 'string' || Number.isInteger(item), 'a string or an integer');
    const text = record[names.text] as string;
    const pair = names.pair === undefined ? undefined : (record[names.pair] as string);
    if (text.trim() === '') throw emptyText(path, lineNumber, names.text);
    if (pair !== undefined && pair.trim() === '') throw emptyText(path, lineNumber, names.pair as string);
    const row: UserDataRow = { lineNumber, text };
    if (pair !== undefined) row.textPair = pair;
    if (record.label !== undefined && record.label !== null) row.label = typeof record.label === 'string' ? record.label.trim() : (record.label as number);
    if (record.id !== undefined) row.id = String(record.id);
    rows.push(row);
  });
  if (rows.length === 0) throw emptyFile(path);
  return rows;
}

/** The error for a file with nothing in it. */
export function emptyFile(path: string): DataFormatError {
  return new DataFormatError(`${path} is empty`, {
    expected: 'at least one example',
    received: 'no lines with content',
  });
}
