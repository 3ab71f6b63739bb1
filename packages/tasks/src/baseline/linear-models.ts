import type { SparseRows } from './tfidf';

/** A fitted multinomial logistic regression: `weights` is classes × features (row-major), plus one intercept per class. */
export interface LogisticRegressionModel {
  weights: Float64Array;
  intercepts: Float64Array;
  numClasses: number;
  numFeatures: number;
  /** Iterations L-BFGS took. */
  iterations: number;
}

/** x·w over a sparse row (`start`..`end` of the CSR arrays) and a dense vector at `offset`. */
function rowDot(rows: SparseRows, start: number, end: number, vector: Float64Array, offset: number): number {
  let sum = 0;
  for (let k = start; k < end; k++) sum += rows.values[k] * vector[offset + rows.columns[k]];
  return sum;
}

/**
 * Minimises a smooth convex function of `x` (in place) with L-BFGS (memory 10, backtracking line
 * search with the Armijo condition) until the largest gradient entry is below `tolerance`.
 * Returns the iterations taken.
 *
 * @example
 * ```ts
 * const x = new Float64Array([3]);
 * lbfgs(x, (point, gradient) => { gradient[0] = 2 * (point[0] - 1); return (point[0] - 1) ** 2; }); // x[0] ≈ 1
 * ```
 */
export function lbfgs(x: Float64Array, objective: (point: Float64Array, gradient: Float64Array) => number, { tolerance = 1e-8, maxIterations = 2000, memory = 10 } = {}): number {
  const n = x.length;
  const gradient = new Float64Array(n);
  let value = objective(x, gradient);
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  const rhos: number[] = [];
  const direction = new Float64Array(n);
  const trial = new Float64Array(n);
  const trialGradient = new Float64Array(n);
  const alphas = new Float64Array(memory);
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(gradient[i]));
    if (largest < tolerance) break;
    // Two-loop recursion: direction = -H·gradient.
    direction.set(gradient);
    for (let j = steps.length - 1; j >= 0; j--) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += steps[j][i] * direction[i];
      alphas[j] = rhos[j] * dot;
      for (let i = 0; i < n; i++) direction[i] -= alphas[j] * changes[j][i];
    }
    if (steps.length > 0) {
      const last = steps.length - 1;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += steps[last][i] * changes[last][i];
        yy += changes[last][i] * changes[last][i];
      }
      const scale = sy / yy;
      for (let i = 0; i < n; i++) direction[i] *= scale;
    }
    for (let j = 0; j < steps.length; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += changes[j][i] * direction[i];
      const beta = rhos[j] * dot;
      for (let i = 0; i < n; i++) direction[i] += steps[j][i] * (alphas[j] - beta);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) {
      direction[i] = -direction[i];
      slope += direction[i] * gradient[i];
    }
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      steps.length = changes.length = rhos.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -gradient[i];
      slope = -gradient.reduce((sum, entry) => sum + entry * entry, 0);
    }
    let step = steps.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let trialValue = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) trial[i] = x[i] + step * direction[i];
      trialValue = objective(trial, trialGradient);
      if (trialValue <= value + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(trialValue < value)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = trial[i] - x[i];
      y[i] = trialGradient[i] - gradient[i];
      sy += s[i] * y[i];
    }
    x.set(trial);
    gradient.set(trialGradient);
    value = trialValue;
    if (sy > 1e-12) {
      if (steps.length === memory) {
        steps.shift();
        changes.shift();
        rhos.shift();
      }
      steps.push(s);
      changes.push(y);
      rhos.push(1 / sy);
    }
  }
  return iteration;
}

/**
 * Multinomial logistic regression with an L2 penalty, as scikit-learn's
 * `LogisticRegression(C, multi_class='multinomial')` fits it: minimises the summed cross-entropy
 * of softmax(x·Wᵀ + b) plus ‖W‖² / (2C) (the intercepts are not penalised) with L-BFGS.
 *
 * @example
 * ```ts
 * const model = fitLogisticRegression(rows, labels, 3, { c: 10 });
 * const probabilities = logisticProbabilities(model, testRows); // rows × 3
 * ```
 */
export function fitLogisticRegression(rows: SparseRows, labels: ArrayLike<number>, numClasses: number, { c = 1, tolerance = 1e-8 }: { c?: number; tolerance?: number } = {}): LogisticRegressionModel {
  const features = rows.numColumns;
  const size = numClasses * features;
  const parameters = new Float64Array(size + numClasses);
  const logits = new Float64Array(numClasses);
  const iterations = lbfgs(parameters, (point, gradient) => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < size; i++) {
      loss += (point[i] * point[i]) / (2 * c);
      gradient[i] = point[i] / c;
    }
    for (let row = 0; row < rows.numRows; row++) {
      const start = rows.rowStart[row];
      const end = rows.rowStart[row + 1];
      let largest = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < numClasses; k++) {
        logits[k] = rowDot(rows, start, end, point, k * features) + point[size + k];
        largest = Math.max(largest, logits[k]);
      }
      let total = 0;
      for (let k = 0; k < numClasses; k++) total += Math.exp(logits[k] - largest);
      const logTotal = Math.log(total) + largest;
      const label = labels[row];
      loss += logTotal - logits[label];
      for (let k = 0; k < numClasses; k++) {
        const error = Math.exp(logits[k] - logTotal) - (k === label ? 1 : 0);
        gradient[size + k] += error;
        const offset = k * features;
        for (let j = start; j < end; j++) gradient[offset + rows.columns[j]] += error * rows.values[j];
      }
    }
    return loss;
  }, { tolerance });
  return { weights: parameters.subarray(0, size), intercepts: parameters.subarray(size), numClasses, numFeatures: features, iterations };
}

/**
 * The class probabilities of each row under a fitted model, rows × classes (row-major).
 *
 * @example
 * ```ts
 * const probabilities = logisticProbabilities(model, rows); // probabilities[row * numClasses + k]
 * ```
 */
export function logisticProbabilities(model: LogisticRegressionModel, rows: SparseRows): Float64Array {
  const { numClasses, numFeatures } = model;
  const out = new Float64Array(rows.numRows * numClasses);
  for (let row = 0; row < rows.numRows; row++) {
    const start = rows.rowStart[row];
    const end = rows.rowStart[row + 1];
    let largest = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < numClasses; k++) {
      out[row * numClasses + k] = rowDot(rows, start, end, model.weights, k * numFeatures) + model.intercepts[k];
      largest = Math.max(largest, out[row * numClasses + k]);
    }
    let total = 0;
    for (let k = 0; k < numClasses; k++) total += out[row * numClasses + k] = Math.exp(out[row * numClasses + k] - largest);
    for (let k = 0; k < numClasses; k++) out[row * numClasses + k] /= total;
  }
  return out;
}

/** A fitted ridge regression: y ≈ x·w + intercept. */
export interface RidgeModel {
  weights: Float64Array;
  intercept: number;
}

/**
 * Ridge regression as scikit-learn's `Ridge(alpha)` fits it with an intercept: minimises
 * ‖y − Xw − b‖² + α‖w‖² (b not penalised) by conjugate gradients on the centred normal
 * equations (XcᵀXc + αI)w = Xcᵀ(y − ȳ), X never densified; b = ȳ − x̄·w.
 *
 * @example
 * ```ts
 * const model = fitRidge(rows, targets, { alpha: 1 });
 * const predicted = ridgePredictions(model, testRows);
 * ```
 */
export function fitRidge(rows: SparseRows, targets: ArrayLike<number>, { alpha = 1, tolerance = 1e-12, maxIterations = 5000 }: { alpha?: number; tolerance?: number; maxIterations?: number } = {}): RidgeModel {
  const n = rows.numRows;
  const f = rows.numColumns;
  const mean = new Float64Array(f);
  let targetMean = 0;
  for (let row = 0; row < n; row++) {
    targetMean += targets[row] / n;
    for (let k = rows.rowStart[row]; k < rows.rowStart[row + 1]; k++) mean[rows.columns[k]] += rows.values[k] / n;
  }
  const projected = new Float64Array(n);
  // (XcᵀXc + αI)·v into out.
  const apply = (vector: Float64Array, out: Float64Array): void => {
    let offset = 0;
    for (let j = 0; j < f; j++) offset += mean[j] * vector[j];
    let sum = 0;
    for (let row = 0; row < n; row++) {
      projected[row] = rowDot(rows, rows.rowStart[row], rows.rowStart[row + 1], vector, 0) - offset;
      sum += projected[row];
    }
    out.fill(0);
    for (let row = 0; row < n; row++) for (let k = rows.rowStart[row]; k < rows.rowStart[row + 1]; k++) out[rows.columns[k]] += rows.values[k] * projected[row];
    for (let j = 0; j < f; j++) out[j] += alpha * vector[j] - mean[j] * sum;
  };
  const weights = new Float64Array(f);
  const residual = new Float64Array(f);
  for (let row = 0; row < n; row++) {
    const centred = targets[row] - targetMean;
    for (let k = rows.rowStart[row]; k < rows.rowStart[row + 1]; k++) residual[rows.columns[k]] += rows.values[k] * centred;
  }
  // The right-hand side is Xcᵀ(y − ȳ) = Xᵀ(y − ȳ), since Σ(y − ȳ) = 0.
  const direction = Float64Array.from(residual);
  const product = new Float64Array(f);
  let squared = residual.reduce((sum, value) => sum + value * value, 0);
  const stop = tolerance * tolerance * Math.max(squared, 1e-300);
  for (let iteration = 0; iteration < maxIterations && squared > stop; iteration++) {
    apply(direction, product);
    let curvature = 0;
    for (let j = 0; j < f; j++) curvature += direction[j] * product[j];
    const step = squared / curvature;
    let next = 0;
    for (let j = 0; j < f; j++) {
      weights[j] += step * direction[j];
      residual[j] -= step * product[j];
      next += residual[j] * residual[j];
    }
    for (let j = 0; j < f; j++) direction[j] = residual[j] + (next / squared) * direction[j];
    squared = next;
  }
  let intercept = targetMean;
  for (let j = 0; j < f; j++) intercept -= mean[j] * weights[j];
  return { weights, intercept };
}

/**
 * The predictions of a fitted ridge model for each row.
 *
 * @example
 * ```ts
 * ridgePredictions(fitRidge(rows, targets), rows); // Float64Array of rows.numRows values
 * ```
 */
export function ridgePredictions(model: RidgeModel, rows: SparseRows): Float64Array {
  const out = new Float64Array(rows.numRows);
  for (let row = 0; row < rows.numRows; row++) out[row] = rowDot(rows, rows.rowStart[row], rows.rowStart[row + 1], model.weights, 0) + model.intercept;
  return out;
}
