import { describeValue } from '@pofa/core';
import { MetricInputError } from '../errors/metric-input-error';
import { squadExactMatch, squadF1 } from './squad-metrics';

/** What {@link squadScores} needs of each question: its id and gold answer texts. */
export interface SquadScoredQuestion {
  id: string;
  answers: ReadonlyArray<{ text: string }>;
}

/** Exact match and F1 over a SQuAD dataset, as fractions in [0, 1]. */
export interface SquadScores {
  exactMatch: number;
  f1: number;
  /** Questions that had no prediction; each scored 0, as the official script does. */
  missing: number;
}

/**
 * Scores predictions against SQuAD v1.1 questions like the official `evaluate-v1.1.py`, but
 * as fractions instead of percentages: the mean over every question of the best exact match
 * and the best token F1 against its gold answers. A question without a prediction scores 0
 * (the official script prints "Unanswered question ... will receive score 0").
 *
 * @example
 * ```ts
 * const { examples } = await loadSquad('dev-v1.1.json');
 * const { exactMatch, f1 } = squadScores({ '56be4db0acb8001400a502ec': 'Denver Broncos' }, examples);
 * ```
 */
export function squadScores(
  predictions: Readonly<Record<string, string>>,
  questions: readonly SquadScoredQuestion[],
): SquadScores {
  if (predictions === null || typeof predictions !== 'object') {
    throw new MetricInputError('squadScores: predictions must map question ids to answer texts', {
      expected: 'an object { [questionId]: text }',
      received: describeValue(predictions),
    });
  }
  if (!Array.isArray(questions) || questions.length === 0) {
    throw new MetricInputError('squadScores: no questions to score', {
      expected: 'a non-empty array of { id, answers } (the examples from loadSquad)',
      received: describeValue(questions),
    });
  }
  let exactMatch = 0;
  let f1 = 0;
  let missing = 0;
  for (const question of questions as readonly SquadScoredQuestion[]) {
    if (!Object.prototype.hasOwnProperty.call(predictions, question.id)) {
      missing += 1;
      continue;
    }
    const gold = question.answers.map((answer) => answer.text);
    exactMatch += squadExactMatch(predictions[question.id], gold);
    f1 += squadF1(predictions[question.id], gold);
  }
  return { exactMatch: exactMatch / questions.length, f1: f1 / questions.length, missing };
}
