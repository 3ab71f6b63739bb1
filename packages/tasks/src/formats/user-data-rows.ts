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
 * Reads a TSV with a header naming the columns `text`, optional `text_pair`, `label`, `id`
 * (others are ignored); fields are split on tabs with no quoting.
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
  const textColumn = header.indexOf('text');
  if (textColumn < 0) {
    throw new DataFormatError(`${path}:${lines[0].lineNumber}: the header has no "text" column`, {
      expected: 'a header line naming the columns: text, and optionally text_pair, label, id',
      received: describeValue(header.join(' | ')),
    });
  }
  const pairColumn = header.indexOf('text_pair');
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
    const row: UserDataRow = { lineNumber, text: fields[textColumn] };
    if (pairColumn >= 0) row.textPair = fields[pairColumn];
    if (labelColumn >= 0) row.label = fields[labelColumn];
    if (idColumn >= 0) row.id = fields[idColumn];
    return row;
  });
}

/**
 * Reads JSON Lines: one object per line with a string `text`, optional string `text_pair`,
 * optional `label` (string or number) and optional `id`.
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
    if (record.text === undefined) {
      throw new DataFormatError(`${path}:${lineNumber}: missing field "text"`, {
        expected: 'a string field "text" on every line',
        received: describeValue(record),
      });
    }
    field('text', (item) => typeof item === 'string', 'a string');
    field('text_pair', (item) => typeof item === 'string', 'a string');
    field('label', (item) => item === null || typeof item === 'string' || Number.isFinite(item), 'a class name, a number or null');
    field('id', (item) => typeof item === 'string' || Number.isInteger(item), 'a string or an integer');
    const row: UserDataRow = { lineNumber, text: record.text as string };
    if (record.text_pair !== undefined) row.textPair = record.text_pair as string;
    if (record.label !== undefined && record.label !== null) row.label = record.label as string | number;
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
