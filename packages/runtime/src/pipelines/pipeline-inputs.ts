import { describeValue } from '@pofa/core';
import { PipelineError } from '../pipeline-error';

/** A text and its pair (`[premise, hypothesis]`, `[question, passage]`). */
export type TextPair = readonly [string, string];

/** A question and the context that holds its answer. */
export interface QuestionContext {
  question: string;
  context: string;
}

/**
 * The text itself when it is a string with something besides whitespace; else a
 * {@link PipelineError} naming `where`.
 *
 * @example
 * ```ts
 * requireText('hello', 'inputs[0]'); // 'hello'
 * ```
 */
export function requireText(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new PipelineError(`${where} is not a text`, { expected: 'a string', received: describeValue(value) });
  if (value.trim() === '') throw new PipelineError(`${where} is empty`, { expected: 'a text with at least one non-space character', received: JSON.stringify(value) });
  return value;
}

/**
 * A single text or a list of them as a non-empty list of checked texts.
 *
 * @example
 * ```ts
 * textList('hello'); // ['hello']
 * ```
 */
export function textList(inputs: unknown): string[] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new PipelineError('No inputs', { expected: 'a text or a non-empty list of texts', received: 'an empty list' });
  return list.map((text, index) => requireText(text, Array.isArray(inputs) ? `inputs[${index}]` : 'the input'));
}

/**
 * A list of `[text, textPair]` pairs, checked.
 *
 * @example
 * ```ts
 * pairList([['a cat', 'a feline']]); // [['a cat', 'a feline']]
 * ```
 */
export function pairList(inputs: unknown): Array<[string, string]> {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new PipelineError('No text pairs', { expected: 'a non-empty list of [text, textPair] pairs', received: describeValue(inputs) });
  return inputs.map((pair: unknown, index) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new PipelineError(`inputs[${index}] is not a text pair`, { expected: '[text, textPair]', received: describeValue(pair) });
    return [requireText(pair[0], `inputs[${index}][0]`), requireText(pair[1], `inputs[${index}][1]`)];
  });
}

/**
 * A text, or a list of texts and `[text, textPair]` pairs (a regression head may score either),
 * checked.
 *
 * @example
 * ```ts
 * textOrPairList(['a cat', ['a cat', 'a feline']]); // ['a cat', ['a cat', 'a feline']]
 * ```
 */
export function textOrPairList(inputs: unknown): Array<string | [string, string]> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new PipelineError('No inputs', { expected: 'a text or a non-empty list of texts or [text, textPair] pairs', received: 'an empty list' });
  return list.map((item: unknown, index) => (Array.isArray(item) ? pairList([item])[0] : requireText(item, Array.isArray(inputs) ? `inputs[${index}]` : 'the input')));
}

/**
 * A question and context, or a list of them, as a non-empty checked list.
 *
 * @example
 * ```ts
 * questionList({ question: 'Who?', context: 'Ishmael.' }); // [{ question: 'Who?', context: 'Ishmael.' }]
 * ```
 */
export function questionList(inputs: unknown): QuestionContext[] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new PipelineError('No questions', { expected: 'a { question, context } or a non-empty list of them', received: 'an empty list' });
  return list.map((item: unknown, index) => {
    const where = Array.isArray(inputs) ? `inputs[${index}]` : 'the input';
    if (typeof item !== 'object' || item === null) throw new PipelineError(`${where} is not a question`, { expected: '{ question, context }', received: describeValue(item) });
    const { question, context } = item as Partial<QuestionContext>;
    if (context === undefined) throw new PipelineError(`${where} has a question without a context`, { expected: '{ question, context }', received: describeValue(item), hint: 'Pass the passage that holds the answer as context' });
    return { question: requireText(question, `${where}.question`), context: requireText(context, `${where}.context`) };
  });
}
