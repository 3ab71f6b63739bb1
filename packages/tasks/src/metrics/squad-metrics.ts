import { describeValue } from '@pofa/core';
import { MetricInputError } from '../errors/metric-input-error';

/** Python's `string.punctuation`, which the official script removes. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
/** Python's `\b(a|an|the)\b` on a `str`: `\w` is Unicode letters, numbers and `_`. */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
/** The characters Python's `str.split()` splits on (`str.isspace`), unlike JS `\s`. */
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/**
 * The official SQuAD v1.1 answer normalisation (`normalize_answer` of `evaluate-v1.1.py`):
 * lower-case, remove ASCII punctuation, remove the articles a/an/the, collapse whitespace.
 *
 * @example
 * ```ts
 * normalizeSquadAnswer('The  U.S. Army!'); // 'us army'
 * ```
 */
export function normalizeSquadAnswer(text: string): string {
  const lowered = text.toLowerCase();
  let withoutPunctuation = '';
  for (const character of lowered) if (!PUNCTUATION.has(character)) withoutPunctuation += character;
  return splitTokens(withoutPunctuation.replace(ARTICLES, ' ')).join(' ');
}

function splitTokens(text: string): string[] {
  return text.split(PYTHON_WHITESPACE).filter((token) => token.length > 0);
}

/**
 * 1 when the normalised prediction equals some normalised gold answer, else 0
 * (`metric_max_over_ground_truths(exact_match_score, ...)` of the official script).
 *
 * @example
 * ```ts
 * squadExactMatch('the Broncos', ['Denver Broncos', 'Broncos']); // 1
 * ```
 */
export function squadExactMatch(prediction: string, goldAnswers: readonly string[]): number {
  validateSquadPair('squadExactMatch', prediction, goldAnswers);
  const normalized = normalizeSquadAnswer(prediction);
  return goldAnswers.some((gold) => normalizeSquadAnswer(gold) === normalized) ? 1 : 0;
}

/**
 * The best token-level F1 in [0, 1] of the prediction against any gold answer: the official
 * script's bag-of-tokens F1 on normalised text (a token counts as often as it appears in
 * both), 0 when nothing is shared, including when either side normalises to nothing.
 *
 * @example
 * ```ts
 * squadF1('Denver Broncos team', ['Broncos']); // 0.5
 * ```
 */
export function squadF1(prediction: string, goldAnswers: readonly string[]): number {
  validateSquadPair('squadF1', prediction, goldAnswers);
  const predictionTokens = splitTokens(normalizeSquadAnswer(prediction));
  let best = 0;
  for (const gold of goldAnswers) best = Math.max(best, tokenF1(predictionTokens, splitTokens(normalizeSquadAnswer(gold))));
  return best;
}

function tokenF1(predictionTokens: string[], goldTokens: string[]): number {
  const goldCounts = new Map<string, number>();
  for (const token of goldTokens) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  let shared = 0;
  for (const token of predictionTokens) {
    const remaining = goldCounts.get(token) ?? 0;
    if (remaining > 0) {
      shared += 1;
      goldCounts.set(token, remaining - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / predictionTokens.length;
  const recall = shared / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

function validateSquadPair(metric: string, prediction: unknown, goldAnswers: unknown): void {
  if (typeof prediction !== 'string') {
    throw new MetricInputError(`${metric}: the prediction must be a string`, {
      expected: 'a string (possibly empty)',
      received: describeValue(prediction),
    });
  }
  if (!Array.isArray(goldAnswers) || goldAnswers.length === 0 || goldAnswers.some((gold) => typeof gold !== 'string')) {
    throw new MetricInputError(`${metric}: the gold answers must be a non-empty array of strings`, {
      expected: 'at least one gold answer string',
      received: describeValue(goldAnswers),
      hint: 'SQuAD v1.1 questions all have answers; unanswerable (v2.0) questions are not supported',
    });
  }
}
