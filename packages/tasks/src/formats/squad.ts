import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { describeValue } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import { decodeUtf8 } from './utf8-text';

/** One SQuAD question with its paragraph and gold answers. */
export interface SquadExample {
  id: string;
  title: string;
  context: string;
  question: string;
  /**
   * Gold answers; `answerStart` indexes `context` as a JavaScript string (UTF-16), so
   * `context.slice(answerStart, answerStart + text.length) === text` (the file's `answer_start`
   * counts code points, as Python does; they differ after an emoji or another astral character).
   */
  answers: Array<{ text: string; answerStart: number }>;
}

/** A parsed SQuAD file. */
export interface SquadDataset {
  version: string | null;
  examples: SquadExample[];
}

const AnswerSchema = z.object({ text: z.string(), answer_start: z.number().int().nonnegative() }).passthrough();
const QuestionSchema = z
  .object({ id: z.string().min(1), question: z.string(), answers: z.array(AnswerSchema) })
  .passthrough();
const ParagraphSchema = z.object({ context: z.string(), qas: z.array(QuestionSchema) }).passthrough();
const ArticleSchema = z.object({ title: z.string().optional(), paragraphs: z.array(ParagraphSchema) }).passthrough();
const SquadFileSchema = z.object({ version: z.string().optional(), data: z.array(ArticleSchema) }).passthrough();

/**
 * Parses the official SQuAD v1.1 JSON (`data[].paragraphs[].context`, `.qas[].id`,
 * `.question`, `.answers[].text`, `.answers[].answer_start`) already read into memory.
 * Throws a {@link DataFormatError} naming the first bad field by its path.
 *
 * @example
 * ```ts
 * const { examples } = parseSquad(JSON.parse(text), 'dev-v1.1.json');
 * ```
 */
export function parseSquad(json: unknown, source = 'SQuAD data'): SquadDataset {
  const parsed = SquadFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.reduce<string>(
      (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`),
      '',
    );
    throw new DataFormatError(`${source}: not the SQuAD v1.1 layout at ${path || 'the top level'}`, {
      expected: 'the official layout { data: [{ title, paragraphs: [{ context, qas: [{ id, question, answers: [{ text, answer_start }] }] }] }] }',
      received: issue.message,
    });
  }
  const examples: SquadExample[] = [];
  const seen = new Set<string>();
  parsed.data.data.forEach((article, articleIndex) => {
    article.paragraphs.forEach((paragraph, paragraphIndex) => {
      paragraph.qas.forEach((question, questionIndex) => {
        const where = `data[${articleIndex}].paragraphs[${paragraphIndex}].qas[${questionIndex}]`;
        if (seen.has(question.id)) {
          throw new DataFormatError(`${source}: duplicate question id at ${where}`, {
            expected: 'unique question ids (predictions are keyed by id)',
            received: describeValue(question.id),
          });
        }
        seen.add(question.id);
        const answers = question.answers.map((answer, answerIndex) => {
          const answerStart = codeUnitIndex(paragraph.context, answer.answer_start);
          if (answerStart + answer.text.length > paragraph.context.length) {
            throw new DataFormatError(`${source}: answer outside its context at ${where}.answers[${answerIndex}]`, {
              expected: `answer_start + text length <= ${[...paragraph.context].length} (the context length)`,
              received: `answer_start ${answer.answer_start}, text ${describeValue(answer.text)}`,
            });
          }
          const found = paragraph.context.slice(answerStart, answerStart + answer.text.length);
          if (found !== answer.text) throw answerMismatch(source, question.id, `${where}.answers[${answerIndex}]`, answer, found, paragraph.context);
          return { text: answer.text, answerStart };
        });
        examples.push({ id: question.id, title: article.title ?? '', context: paragraph.context, question: question.question, answers });
      });
    });
  });
  return { version: parsed.data.version ?? null, examples };
}

/**
 * The UTF-16 index (a JavaScript string index) of the `codePoint`-th character of `text`:
 * SQuAD's `answer_start` counts characters as Python does (code points), which differs from a
 * string index after a character outside the Basic Multilingual Plane (an emoji, a rare CJK
 * character). A position past the end maps past the end.
 */
function codeUnitIndex(text: string, codePoint: number): number {
  if (!/[\ud800-\udfff]/.test(text)) return codePoint;
  let index = 0;
  let count = 0;
  for (; count < codePoint && index < text.length; count += 1) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return index + (codePoint - count);
}

function answerMismatch(
  source: string,
  id: string,
  where: string,
  answer: { text: string; answer_start: number },
  found: string,
  context: string,
): DataFormatError {
  const elsewhere = context.indexOf(answer.text);
  return new DataFormatError(`${source}: the answer_start of question ${describeValue(id)} does not point at its text (${where})`, {
    expected: `the context's characters ${answer.answer_start} to ${answer.answer_start + [...answer.text].length} to read ${describeValue(answer.text)}`,
    received: describeValue(found),
    hint:
      elsewhere >= 0
        ? `The text occurs at character ${[...context.slice(0, elsewhere)].length}: fix answer_start in ${source} (it counts the context's characters from 0, as Python does)`
        : `The text does not occur in the context: fix the answer in ${source}, or remove it`,
  });
}

/**
 * Reads and parses an official SQuAD v1.1 JSON file (`train-v1.1.json`, `dev-v1.1.json`); a file
 * that is not UTF-8 is a {@link DataFormatError} naming the line.
 *
 * @example
 * ```ts
 * const { examples } = await loadSquad('./squad/dev-v1.1.json');
 * examples[0].answers[0]; // { text: 'Denver Broncos', answerStart: 177 }
 * ```
 */
export async function loadSquad(path: string): Promise<SquadDataset> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataFormatError(`Cannot read the SQuAD file ${path}`, {
      expected: 'a readable SQuAD v1.1 JSON file',
      received: (error as Error).message,
      cause: error,
    });
  }
  const text = decodeUtf8(bytes, path);
  if (text.trim() === '') {
    throw new DataFormatError(`${path} is empty`, {
      expected: 'the SQuAD v1.1 JSON file ({ "version": "1.1", "data": [...] })',
      received: `${text.length} bytes of whitespace or nothing`,
      hint: 'The copy was cut short: fetch train-v1.1.json / dev-v1.1.json again',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(`${path}: not valid JSON`, {
      expected: 'the SQuAD v1.1 JSON file',
      received: (error as Error).message,
      cause: error,
    });
  }
  return parseSquad(json, path);
}
