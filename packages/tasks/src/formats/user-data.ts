import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { ConfigError, describeValue } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import type { DatasetExample } from './glue';
import { emptyFile, readUserJsonlRows, readUserTsvRows, type UserDataRow } from './user-data-rows';
import { decodeUtf8 } from './utf8-text';

/**
 * Options of {@link loadUserData}.
 *
 * @example
 * ```ts
 * LoadUserDataOptionsSchema.parse({ format: 'jsonl', labels: ['neg', 'pos'] });
 * ```
 */
export const LoadUserDataOptionsSchema = z
  .object({
    /** File format; by default from the extension (`.tsv`, `.jsonl` / `.ndjson`). */
    format: z.enum(['tsv', 'jsonl']).optional(),
    /** Class names in order; labels must be among them. Default: names in first-seen order. */
    labels: z.array(z.string()).optional(),
    /**
     * `'name'`: labels are class names; `'number'`: labels are numbers (regression targets, or
     * class indices with `labels`); `'auto'`: when every label is a number (a JSON number, or a
     * TSV cell that parses as one), integers are classes named by their value in numeric order
     * (`0`, `1`, `2`) and any other number makes them regression targets; else class names.
     */
    labelKind: z.enum(['auto', 'name', 'number']).default('auto'),
  })
  .strict();

/** Options of {@link loadUserData}, as the caller writes them. */
export type LoadUserDataOptions = z.input<typeof LoadUserDataOptionsSchema>;

/** A user data set: its examples and class names. */
export interface UserData {
  examples: DatasetExample[];
  /** Class names (given, or in first-seen order); `[]` for numeric labels without names. */
  labels: string[];
  format: 'tsv' | 'jsonl';
}

/**
 * Loads the user's own labelled (or unlabelled) texts from a TSV file with a header
 * (`text`, optional `text_pair`, `label`, `id`) or from JSON Lines (`{"text", "text_pair"?,
 * "label"?, "id"?}`). Class-name labels become indices into `labels`; either every example has
 * a label or none does. Problems throw a {@link DataFormatError} with the file and line.
 *
 * @example
 * ```ts
 * // reviews.jsonl: {"text": "great", "label": "pos"}\n{"text": "dull", "label": "neg"}
 * const { examples, labels } = await loadUserData('reviews.jsonl');
 * labels; // ['pos', 'neg']
 * examples[1]; // { id: '1', text: 'dull', label: 1, labelName: 'neg' }
 * ```
 */
export async function loadUserData(path: string, options: LoadUserDataOptions = {}): Promise<UserData> {
  const parsed = LoadUserDataOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('loadUserData: invalid options', {
      expected: "{ format?: 'tsv' | 'jsonl', labels?: string[], labelKind?: 'auto' | 'name' | 'number' }",
      received: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }
  const format = parsed.data.format ?? formatFromExtension(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataFormatError(`Cannot read ${path}`, {
      expected: 'a readable TSV or JSONL file',
      received: (error as Error).message,
      cause: error,
    });
  }
  const content = decodeUtf8(bytes, path);
  const rows = format === 'tsv' ? readUserTsvRows(content, path) : readUserJsonlRows(content, path);
  if (rows.length === 0) throw emptyFile(path);
  return { examples: resolveLabels(rows, path, parsed.data), labels: collectLabels(rows, parsed.data), format };
}

function formatFromExtension(path: string): 'tsv' | 'jsonl' {
  const extension = extname(path).toLowerCase();
  if (extension === '.tsv' || extension === '.tab') return 'tsv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new ConfigError(`loadUserData: cannot tell the format of ${path} from its extension`, {
    expected: 'a .tsv, .jsonl or .ndjson file, or options.format',
    received: describeValue(extension || '(no extension)'),
    hint: "Pass { format: 'tsv' } or { format: 'jsonl' }",
  });
}

type ResolvedOptions = z.output<typeof LoadUserDataOptionsSchema>;

/** How labels are read: class names, integers as classes (named by value), or numbers (regression). */
type LabelMode = 'names' | 'integers' | 'numbers';

function labelMode(rows: UserDataRow[], options: ResolvedOptions): LabelMode {
  if (options.labelKind === 'name') return 'names';
  if (options.labelKind === 'number') return 'numbers';
  const labelled = rows.filter((row) => row.label !== undefined);
  if (labelled.length === 0 || !labelled.every((row) => typeof row.label === 'number' || isNumeric(row.label as string))) return 'names';
  return labelled.every((row) => Number.isInteger(Number(row.label))) && options.labels === undefined ? 'integers' : 'numbers';
}

function isNumeric(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

/** The class name of a label as written (an integer class: its value, so `01` and `1` are one class). */
function labelName(label: string | number, mode: LabelMode): string {
  return mode === 'integers' ? String(Number(label)) : String(label);
}

function collectLabels(rows: UserDataRow[], options: ResolvedOptions): string[] {
  if (options.labels !== undefined) return [...options.labels];
  const mode = labelMode(rows, options);
  if (mode === 'numbers') return [];
  const names: string[] = [];
  for (const row of rows) if (row.label !== undefined && !names.includes(labelName(row.label, mode))) names.push(labelName(row.label, mode));
  return mode === 'integers' ? names.sort((a, b) => Number(a) - Number(b)) : names;
}

function resolveLabels(rows: UserDataRow[], path: string, options: ResolvedOptions): DatasetExample[] {
  const mode = labelMode(rows, options);
  const numeric = mode === 'numbers';
  const names = collectLabels(rows, options);
  const hasLabels = rows[0].label !== undefined;
  return rows.map((row, index) => {
    if ((row.label !== undefined) !== hasLabels) {
      throw new DataFormatError(`${path}:${row.lineNumber}: ${hasLabels ? 'missing label' : 'unexpected label'}`, {
        expected: hasLabels ? 'a label on every example, as on the first' : 'no labels, as on the first example',
        received: describeValue(row.label),
      });
    }
    const example: DatasetExample = { id: row.id ?? String(index), text: row.text, label: null };
    if (row.textPair !== undefined) example.textPair = row.textPair;
    if (row.label === undefined) return example;
    if (numeric) {
      const value = typeof row.label === 'number' ? row.label : isNumeric(row.label) ? Number(row.label) : Number.NaN;
      if (!Number.isFinite(value)) {
        throw new DataFormatError(`${path}:${row.lineNumber}: the label is not a number`, {
          expected: 'a numeric label (labelKind "number")',
          received: describeValue(row.label),
        });
      }
      example.label = value;
      if (Number.isInteger(value) && value >= 0 && value < names.length) example.labelName = names[value];
      return example;
    }
    const name = labelName(row.label, mode);
    example.label = names.indexOf(name);
    if (example.label < 0) {
      throw new DataFormatError(`${path}:${row.lineNumber}: unknown label ${describeValue(name)}`, {
        expected: `one of the given labels [${names.join(', ')}]`,
        received: describeValue(name),
      });
    }
    example.labelName = name;
    return example;
  });
}
