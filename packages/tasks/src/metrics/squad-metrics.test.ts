import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSquad } from '../formats/squad';
import { MetricInputError } from '../errors/metric-input-error';
import { normalizeSquadAnswer, squadExactMatch, squadF1 } from './squad-metrics';
import { squadScores } from './squad-scores';

interface SquadCase {
  prediction: string;
  goldAnswers: string[];
  normalized: string;
  exactMatch: number;
  f1: number;
}

// Golden values from a re-implementation of evaluate-v1.1.py: scripts/make-metric-fixtures.py.
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/metrics.json', import.meta.url), 'utf8')) as {
  squad: SquadCase[];
  squadDataset: unknown;
  squadPredictions: Record<string, string>;
  squadScores: { exactMatch: number; f1: number };
};

describe('SQuAD v1.1 metrics agree with the official script', () => {
  it.each(fixture.squad.map((testCase) => [JSON.stringify(testCase.prediction), testCase] as const))(
    '%s',
    (_, testCase) => {
      expect(normalizeSquadAnswer(testCase.prediction)).toBe(testCase.normalized);
      expect(squadExactMatch(testCase.prediction, testCase.goldAnswers)).toBe(testCase.exactMatch);
      expect(Math.abs(squadF1(testCase.prediction, testCase.goldAnswers) - testCase.f1)).toBeLessThanOrEqual(1e-9);
    },
  );

  it('scores a dataset like evaluate(), counting an unanswered question as 0', () => {
    const { examples } = parseSquad(fixture.squadDataset);
    const scores = squadScores(fixture.squadPredictions, examples);
    expect(Math.abs(scores.exactMatch - fixture.squadScores.exactMatch)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(scores.f1 - fixture.squadScores.f1)).toBeLessThanOrEqual(1e-9);
    expect(scores.missing).toBe(1);
  });

  it('counts repeated tokens only as often as both sides have them (worked by hand)', () => {
    // prediction bag {broncos: 3}, gold {denver: 1, broncos: 1}: 1 shared, P = 1/3, R = 1/2, F1 = 0.4.
    expect(squadF1('Broncos Broncos Broncos', ['Denver Broncos'])).toBeCloseTo(0.4, 12);
  });

  it('rejects a question without gold answers', () => {
    expect(() => squadF1('x', [])).toThrowError(MetricInputError);
    expect(() => squadScores({}, [])).toThrowError(/no questions/);
  });
});
