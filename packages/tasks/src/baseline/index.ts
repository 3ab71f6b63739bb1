/** Baselines a transformer must beat: TF-IDF features and linear models (scikit-learn's, on typed arrays). */
export { textBaseline, type BaselineResult } from './text-baseline';
export { fitTfidf, textTerms, type SparseRows, type TfidfVectorizer } from './tfidf';
export { fitLogisticRegression, logisticProbabilities, fitRidge, ridgePredictions, lbfgs, type LogisticRegressionModel, type RidgeModel } from './linear-models';
