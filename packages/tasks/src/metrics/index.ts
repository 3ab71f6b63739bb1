export { accuracy } from './accuracy';
export { f1Score, F1ScoreOptionsSchema, type F1ScoreOptions } from './f1-score';
export { matthewsCorrelation } from './matthews-correlation';
export { pearsonCorrelation } from './pearson-correlation';
export { spearmanCorrelation, averageRanks } from './spearman-correlation';
export { normalizeSquadAnswer, squadExactMatch, squadF1 } from './squad-metrics';
export { squadScores, type SquadScores, type SquadScoredQuestion } from './squad-scores';
export { glueScore, GLUE_METRICS, type GlueScore, type GlueMetricName } from './glue-score';
