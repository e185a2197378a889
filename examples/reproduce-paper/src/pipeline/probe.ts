import { percentileInterval95 } from '@roboalign/bench';
import { mulberry32 } from '@roboalign/utils';
import type { VlaTrainingSet } from './vla.js';

/** Row-major samples: `rows × cols` values and the episode each row came from (its bootstrap unit). */
export interface ProbeData {
  x: Float64Array;
  y: Float64Array;
  rows: number;
  xDim: number;
  yDim: number;
  /** Episode id per row: cross-validation folds and bootstrap resamples keep an episode's rows together. */
  groups: Int32Array;
}

/** A fitted ridge regression with its intercept (from centring). */
export interface RidgeModel {
  weights: Float64Array;
  xMean: Float64Array;
  yMean: Float64Array;
  xDim: number;
  yDim: number;
  lambda: number;
}

function columnMeans(values: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += values[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  return mean;
}

/** Solves A·X = B for symmetric positive-definite A (`n × n`) and `m` right-hand sides, by Cholesky. */
function choleskySolve(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('ridge: the regularized Gram matrix is not positive definite');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  const x = new Float64Array(n * m);
  for (let col = 0; col < m; col++) {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i * m + col];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
      z[i] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k * m + col];
      x[i * m + col] = s / l[i * n + i];
    }
  }
  return x;
}

/**
 * Closed-form ridge regression with an unpenalized intercept: centre X and Y, then solve
 * (XᵀX + λ·I)·W = XᵀY. λ is in units of the mean diagonal of XᵀX, so one grid serves any feature scale.
 */
export function fitRidge(data: ProbeData, lambda: number, rows?: readonly number[]): RidgeModel {
  const { xDim: d, yDim: k } = data;
  const index = rows ?? Array.from({ length: data.rows }, (_, i) => i);
  const x = new Float64Array(index.length * d);
  const y = new Float64Array(index.length * k);
  index.forEach((r, i) => {
    x.set(data.x.subarray(r * d, (r + 1) * d), i * d);
    y.set(data.y.subarray(r * k, (r + 1) * k), i * k);
  });
  const xMean = columnMeans(x, index.length, d);
  const yMean = columnMeans(y, index.length, k);
  const gram = new Float64Array(d * d);
  const cross = new Float64Array(d * k);
  const xc = new Float64Array(d);
  for (let i = 0; i < index.length; i++) {
    for (let a = 0; a < d; a++) xc[a] = x[i * d + a] - xMean[a];
    for (let a = 0; a < d; a++) {
      const xa = xc[a];
      if (xa === 0) continue;
      for (let b = 0; b <= a; b++) gram[a * d + b] += xa * xc[b];
      for (let c = 0; c < k; c++) cross[a * k + c] += xa * (y[i * k + c] - yMean[c]);
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) gram[b * d + a] = gram[a * d + b];
    trace += gram[a * d + a];
  }
  const ridge = lambda * Math.max(trace / d, 1e-12);
  for (let a = 0; a < d; a++) gram[a * d + a] += ridge;
  return { weights: choleskySolve(gram, d, cross, k), xMean, yMean, xDim: d, yDim: k, lambda };
}

/** Predictions `rows × yDim` of a ridge model. */
export function predictRidge(model: RidgeModel, x: Float64Array, rows: number): Float64Array {
  const { xDim: d, yDim: k } = model;
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < k; c++) {
      let s = model.yMean[c];
      for (let a = 0; a < d; a++) s += (x[i * d + a] - model.xMean[a]) * model.weights[a * k + c];
      out[i * k + c] = s;
    }
  return out;
}

/**
 * R² pooled over output dimensions: 1 − Σ squared error / Σ squared deviation from each dimension's mean
 * over the scored rows (all rows, or `rows`).
 */
export function r2Score(
  y: Float64Array,
  predicted: Float64Array,
  yDim: number,
  rows?: readonly number[],
): number {
  const index = rows ?? Array.from({ length: y.length / yDim }, (_, i) => i);
  const mean = new Float64Array(yDim);
  for (const r of index) for (let c = 0; c < yDim; c++) mean[c] += y[r * yDim + c] / index.length;
  let sse = 0;
  let sst = 0;
  for (const r of index)
    for (let c = 0; c < yDim; c++) {
      sse += (y[r * yDim + c] - predicted[r * yDim + c]) ** 2;
      sst += (y[r * yDim + c] - mean[c]) ** 2;
    }
  return sst === 0 ? Number.NaN : 1 - sse / sst;
}

/** The λ grid the probe searches (relative to the mean diagonal of XᵀX). */
export const RIDGE_LAMBDAS = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10] as const;

/** λ with the best cross-validated R² on `data`, folds made of whole episodes. */
export function chooseLambda(data: ProbeData, folds = 5, lambdas: readonly number[] = RIDGE_LAMBDAS): number {
  const episodes = [...new Set(data.groups)].sort((a, b) => a - b);
  if (episodes.length < folds)
    throw new Error(`probe: ${episodes.length} episodes cannot make ${folds} folds`);
  const foldOf = new Map(episodes.map((e, i) => [e, i % folds]));
  let best = { lambda: lambdas[0], r2: Number.NEGATIVE_INFINITY };
  for (const lambda of lambdas) {
    let sse = 0;
    let sst = 0;
    for (let fold = 0; fold < folds; fold++) {
      const train: number[] = [];
      const test: number[] = [];
      for (let r = 0; r < data.rows; r++) (foldOf.get(data.groups[r]) === fold ? test : train).push(r);
      const model = fitRidge(data, lambda, train);
      const x = new Float64Array(test.length * data.xDim);
      test.forEach((r, i) => {
        x.set(data.x.subarray(r * data.xDim, (r + 1) * data.xDim), i * data.xDim);
      });
      const p = predictRidge(model, x, test.length);
      const mean = model.yMean;
      test.forEach((r, i) => {
        for (let c = 0; c < data.yDim; c++) {
          sse += (data.y[r * data.yDim + c] - p[i * data.yDim + c]) ** 2;
          sst += (data.y[r * data.yDim + c] - mean[c]) ** 2;
        }
      });
    }
    const r2 = 1 - sse / sst;
    if (r2 > best.r2) best = { lambda, r2 };
  }
  return best.lambda;
}

/** A probe's held-out R² with its bootstrap 95% interval over held-out episodes. */
export interface ProbeResult {
  r2: number;
  ci95: [number, number];
  lambda: number;
}

/**
 * Fits a ridge probe on `train` (λ by episode-wise cross-validation) and scores it on `test`: R² with a
 * percentile bootstrap over test episodes (predictions fixed, episodes resampled).
 */
export function ridgeProbe(
  train: ProbeData,
  test: ProbeData,
  options: { seed?: number; resamples?: number } = {},
): ProbeResult {
  const lambda = chooseLambda(train);
  const model = fitRidge(train, lambda);
  const predicted = predictRidge(model, test.x, test.rows);
  const r2 = r2Score(test.y, predicted, test.yDim);
  const byEpisode = new Map<number, number[]>();
  for (let r = 0; r < test.rows; r++) {
    const list = byEpisode.get(test.groups[r]) ?? [];
    list.push(r);
    byEpisode.set(test.groups[r], list);
  }
  const episodes = [...byEpisode.values()];
  const rand = mulberry32(options.seed ?? 0);
  const resamples = options.resamples ?? 1000;
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const rows = Array.from(
      { length: episodes.length },
      () => episodes[Math.floor(rand() * episodes.length)],
    ).flat();
    const value = r2Score(test.y, predicted, test.yDim, rows);
    if (Number.isFinite(value)) values.push(value);
  }
  values.sort((a, b) => a - b);
  return {
    r2,
    // No finite resample (e.g. one test episode): no interval.
    ci95: values.length > 0 ? percentileInterval95(values) : [Number.NaN, Number.NaN],
    lambda,
  };
}

/** What a probe predicts from a sample: `dim` values of sample `i`. */
interface ProbeTarget {
  dim: number;
  row(sample: number): ArrayLike<number>;
}

/** Which inputs a probe reads: the pooled features alone (the report's), or with the robot state. */
export interface ProbeInputs {
  /** Append each sample's normalized robot state (as the head reads it) to its pooled features. */
  withState?: boolean;
}

/**
 * The probe's rows from head samples: features mean-pooled over their real tokens (then, `withState`, the
 * sample's state) → `target`'s values.
 */
function pooledRows(
  set: VlaTrainingSet,
  keep: (episode: number) => boolean,
  target: ProbeTarget,
  inputs: ProbeInputs,
): ProbeData {
  const { backboneDim: features, backboneTokens: tokens, stateDim } = set.config;
  const d = features + (inputs.withState ? stateDim : 0);
  const rows = Array.from(set.sampleEpisodes.keys()).filter((i) => keep(set.sampleEpisodes[i]));
  const x = new Float64Array(rows.length * d);
  const y = new Float64Array(rows.length * target.dim);
  rows.forEach((i, r) => {
    const sample = set.samples[i];
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (sample.featureMask[t] === 0) continue;
      count++;
      for (let c = 0; c < features; c++) x[r * d + c] += sample.features[t * features + c];
    }
    for (let c = 0; c < features; c++) x[r * d + c] /= Math.max(1, count);
    if (inputs.withState) x.set(sample.state, r * d + features);
    y.set(target.row(i), r * target.dim);
  });
  return {
    x,
    y,
    rows: rows.length,
    xDim: d,
    yDim: target.dim,
    groups: Int32Array.from(rows, (i) => set.sampleEpisodes[i]),
  };
}

/** The expert's next action chunk of a sample, its active dimensions only. */
function actionTarget(set: VlaTrainingSet): ProbeTarget {
  const { horizon, actionDim } = set.config;
  const activeColumns: number[] = [];
  for (let h = 0; h < horizon; h++)
    for (let a = 0; a < actionDim; a++) if (set.active[a]) activeColumns.push(h * actionDim + a);
  return {
    dim: activeColumns.length,
    row: (i) => activeColumns.map((col) => set.samples[i].actions[col]),
  };
}

/**
 * A ridge probe of `target` trained on four of every five demonstrations and scored on the fifth (whole
 * episodes held out); null with fewer than 10 demonstrations (too few to hold whole episodes out).
 */
function heldOutProbe(
  set: VlaTrainingSet,
  target: ProbeTarget,
  seed: number,
  inputs: ProbeInputs,
): ProbeResult | null {
  if (new Set(set.sampleEpisodes).size < 10) return null;
  const heldOut = (episode: number) => episode % 5 === 4;
  return ridgeProbe(
    pooledRows(set, (e) => !heldOut(e), target, inputs),
    pooledRows(set, heldOut, target, inputs),
    { seed },
  );
}

/**
 * How linearly the frozen features, pooled over tokens, predict the expert's next action chunk: a ridge
 * probe trained on four of every five demonstrations and scored on the fifth (whole episodes held out).
 * Null with fewer than 10 demonstrations (too few to hold whole episodes out).
 */
export function actionProbe(set: VlaTrainingSet, seed: number, inputs: ProbeInputs = {}): ProbeResult | null {
  return heldOutProbe(set, actionTarget(set), seed, inputs);
}

/**
 * How linearly the same pooled features predict the position of what the instruction is about (the
 * demonstrations' environment state at each frame): the same frames, held-out split, λ selection and
 * bootstrap as {@link actionProbe}. Null with fewer than 10 demonstrations or without environment states.
 */
export function objectProbe(set: VlaTrainingSet, seed: number, inputs: ProbeInputs = {}): ProbeResult | null {
  const environment = set.sampleEnvironment;
  if (environment === null) return null;
  const { values, dim } = environment;
  return heldOutProbe(set, { dim, row: (i) => values.subarray(i * dim, (i + 1) * dim) }, seed, inputs);
}
