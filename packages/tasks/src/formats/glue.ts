import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, describeValue } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import { GLUE_LAYOUTS, type GlueColumn, type GlueLayout } from './glue-layouts';
import { GLUE_TASK_NAMES, GlueTaskNameSchema, type GlueTaskName } from './glue-task-name';
import { readTsvLines, type TsvLine } from './tsv-lines';

/**
 * One example read from a data file (GLUE TSV, user TSV/JSONL): a text or text pair with a
 * class index, a regression value, or `null` when the file has no labels (test splits).
 *
 * @example
 * ```ts
 * const example: DatasetExample = { id: '0', text: 'A cat sat.', textPair: 'An animal sat.', label: 0, labelName: 'entailment' };
 * ```
 */
export interface DatasetExample {
  id: string;
  text: string;
  textPair?: string;
  /** Class index into `labels`, the score of a regression task, or `null` when unlabelled. */
  label: number | null;
  /** The class name of `label` (classification only). */
  labelName?: string;
}

/** The examples of one split of a GLUE task. */
export interface GlueSplit {
  task: GlueTaskName;
  split: string;
  examples: DatasetExample[];
  /** Class names in the official order; `[]` for STS-B (regression). */
  labels: string[];
  /** 1-based line numbers of malformed lines skipped with `onMalformed: 'skip'`. */
  skippedLines: number[];
}

/**
 * Options of {@link loadGlueTask}.
 *
 * @example
 * ```ts
 * LoadGlueOptionsSchema.parse({ onMalformed: 'skip' });
 * ```
 */
export const LoadGlueOptionsSchema = z
  .object({
    /** `'error'` throws on the first malformed line; `'skip'` skips it and lists it in `skippedLines`. */
    onMalformed: z.enum(['error', 'skip']).default('error'),
  })
  .strict();

/** Options of {@link loadGlueTask}, as the caller writes them. */
export type LoadGlueOptions = z.input<typeof LoadGlueOptionsSchema>;

/**
 * Loads one split of a GLUE task from the official TSV files: `<dir>/<split>.tsv`, where `dir`
 * is the task's folder (`glue_data/RTE`) and `split` is `train`, `dev` or `test` (MNLI:
 * `train`, `dev_matched`, `dev_mismatched`, `test_matched`, `test_mismatched`). Task names are
 * GLUE's, any case, with or without the dash (`'SST-2'`, `'sst2'`). Fields are split on tabs
 * only: the files use no quoting. Labels are class indices in the official order; test splits
 * have `label: null`. A malformed line throws a {@link DataFormatError} naming the file and
 * line, unless `onMalformed: 'skip'` (the real QQP train file has a few such lines).
 *
 * @example
 * ```ts
 * const { examples, labels } = await loadGlueTask('mnli', 'glue_data/MNLI', 'dev_matched');
 * labels; // ['entailment', 'neutral', 'contradiction']
 * examples[0]; // { id: '0', text: 'The new rights are...', textPair: '...', label: 1, labelName: 'neutral' }
 * ```
 */
export async function loadGlueTask(
  task: GlueTaskName | string,
  dir: string,
  split: string,
  options: LoadGlueOptions = {},
): Promise<GlueSplit> {
  const name = resolveGlueTaskName(task);
  const layout = GLUE_LAYOUTS[name];
  if (!layout.splits.includes(split)) {
    throw new ConfigError(`loadGlueTask: GLUE ${layout.folder} has no split ${describeValue(split)}`, {
      expected: `one of ${layout.splits.join(', ')}`,
      received: describeValue(split),
    });
  }
  const parsedOptions = LoadGlueOptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    throw new ConfigError('loadGlueTask: invalid options', {
      expected: "{ onMalformed?: 'error' | 'skip' }",
      received: parsedOptions.error.issues.map((issue) => issue.message).join('; '),
    });
  }
  const path = join(dir, `${split}.tsv`);
  const lines = await readTsvLines(path);
  return parseGlueLines(name, layout, split, path, lines, parsedOptions.data.onMalformed);
}

/**
 * The canonical GLUE task name for any common spelling (`'SST-2'` → `'sst2'`).
 *
 * @example
 * ```ts
 * resolveGlueTaskName('STS-B'); // 'stsb'
 * ```
 */
export function resolveGlueTaskName(task: string): GlueTaskName {
  const parsed = GlueTaskNameSchema.safeParse(typeof task === 'string' ? task.toLowerCase().replace(/[-_]/g, '') : task);
  if (!parsed.success) {
    throw new ConfigError('Unknown GLUE task', {
      expected: `one of ${GLUE_TASK_NAMES.join(', ')}`,
      received: describeValue(task),
    });
  }
  return parsed.data;
}

function parseGlueLines(
  task: GlueTaskName,
  layout: GlueLayout,
  split: string,
  path: string,
  lines: TsvLine[],
  onMalformed: 'error' | 'skip',
): GlueSplit {
  const splitLayout = layout.layout(split);
  const labelled = !split.startsWith('test');
  if (lines.length === 0) {
    throw new DataFormatError(`${path} is empty`, { expected: `the GLUE ${layout.folder} ${split} file` });
  }
  const header = splitLayout.header ? lines[0] : undefined;
  const columnCount = header ? header.fields.length : (splitLayout.columnCount ?? 0);
  const find = (column: GlueColumn | undefined, role: string, required: boolean): number | undefined => {
    if (column === undefined) return undefined;
    if (typeof column === 'number') return column;
    const index = header?.fields.indexOf(column) ?? -1;
    if (index >= 0) return index;
    if (!required) return undefined;
    throw new DataFormatError(`${path}: the header has no ${describeValue(column)} column (the ${role})`, {
      expected: `the GLUE ${layout.folder} ${split} header, with a ${describeValue(column)} column`,
      received: describeValue(header?.fields.join(' | ')),
      hint: 'Pass the folder of the task, as written by GLUE\'s download_glue_data.py',
    });
  };
  const idColumn = find(splitLayout.id, 'example id', false);
  const textColumn = find(splitLayout.text, 'text', true) as number;
  const pairColumn = find(splitLayout.textPair, 'second text', true);
  const labelColumn = find(splitLayout.label, 'label', labelled);
  const labelValues = layout.labelValues ?? layout.labels;
  const examples: DatasetExample[] = [];
  const skippedLines: number[] = [];
  for (const line of header ? lines.slice(1) : lines) {
    let problem: LineProblem | undefined;
    let label: number | null = null;
    if (line.fields.length !== columnCount) {
      problem = { expected: `${columnCount} tab-separated columns`, received: `${line.fields.length}` };
    } else if (labelColumn !== undefined) {
      const value = line.fields[labelColumn];
      if (layout.labels.length === 0) {
        label = value.trim() === '' ? Number.NaN : Number(value);
        if (!Number.isFinite(label)) {
          problem = { expected: `a numeric score in column ${labelColumn + 1}`, received: describeValue(value) };
        }
      } else {
        label = labelValues.indexOf(value);
        if (label < 0) {
          problem = {
            expected: `a label among [${labelValues.join(', ')}] in column ${labelColumn + 1}`,
            received: describeValue(value),
          };
        }
      }
    }
    if (problem !== undefined) {
      if (onMalformed === 'skip') {
        skippedLines.push(line.lineNumber);
        continue;
      }
      throw new DataFormatError(`${path}:${line.lineNumber}: malformed GLUE ${layout.folder} line`, {
        ...problem,
        hint: "Fix the line, or pass { onMalformed: 'skip' } to skip such lines and count them",
      });
    }
    const example: DatasetExample = {
      id: idColumn === undefined ? `${split}-${examples.length}` : line.fields[idColumn],
      text: line.fields[textColumn],
      label,
    };
    if (pairColumn !== undefined) example.textPair = line.fields[pairColumn];
    if (label !== null && layout.labels.length > 0) example.labelName = layout.labels[label];
    examples.push(example);
  }
  return { task, split, examples, labels: [...layout.labels], skippedLines };
}

interface LineProblem {
  expected: string;
  received: string;
}
