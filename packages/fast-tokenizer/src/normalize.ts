import { FastTokenizerError } from './errors.js';

/** Per-dimension statistics of actions or states, as saved next to a dataset or a model. */
export interface NormStats {
  readonly mean: number[];
  readonly std: number[];
  readonly min: number[];
  readonly max: number[];
  /** 1st percentile (numpy `quantile(x, 0.01)`, linear interpolation). */
  readonly q01: number[];
  /** 99th percentile. */
  readonly q99: number[];
  /** Number of rows the statistics were computed from. */
  readonly count: number;
}

/**
 * How to map values into the range the tokenizer expects:
 * - `'quantile'`: openpi's `(x - q01) / (q99 - q01 + 1e-6) * 2 - 1`, not clipped (FAST's usual input);
 * - `'mean-std'`: LeRobot's `(x - mean) / (std + 1e-8)`.
 */
export type NormMode = 'quantile' | 'mean-std';

const QUANTILE_EPS = 1e-6; // openpi
const STD_EPS = 1e-8; // LeRobot

/** Linear-interpolated quantile of sorted values, as `numpy.quantile` (method 'linear') computes it. */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new FastTokenizerError('quantile of an empty set');
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

/**
 * Computes per-dimension statistics of row-major `[rows, dim]` data (for example every action of
 * a dataset, stacked). The standard deviation is the population one (numpy's default, ddof 0).
 */
export function computeNormStats(data: ArrayLike<number>, dim: number): NormStats {
  if (!Number.isInteger(dim) || dim < 1)
    throw new FastTokenizerError(`dim must be a positive integer, got ${dim}`);
  if (data.length === 0 || data.length % dim !== 0) {
    throw new FastTokenizerError(`data has ${data.length} values, not a non-empty multiple of dim ${dim}`);
  }
  const rows = data.length / dim;
  const stats: Omit<NormStats, 'count'> = { mean: [], std: [], min: [], max: [], q01: [], q99: [] };
  const column = new Float64Array(rows);
  for (let d = 0; d < dim; d++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const v = data[r * dim + d];
      if (!Number.isFinite(v)) throw new FastTokenizerError(`value at row ${r}, dim ${d} is ${v}`);
      column[r] = v;
      sum += v;
    }
    const mean = sum / rows;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += (column[r] - mean) ** 2;
    column.sort();
    stats.mean.push(mean);
    stats.std.push(Math.sqrt(sq / rows));
    stats.min.push(column[0]);
    stats.max.push(column[rows - 1]);
    stats.q01.push(sortedQuantile(column, 0.01));
    stats.q99.push(sortedQuantile(column, 0.99));
  }
  return { ...stats, count: rows };
}

function checkDim(stats: NormStats, dim: number): void {
  if (stats.mean.length !== dim) {
    throw new FastTokenizerError(`statistics have ${stats.mean.length} dimensions, data has ${dim}`);
  }
}

/** Normalizes row-major `[rows, dim]` values with saved statistics; returns a new array. */
export function normalize(
  values: ArrayLike<number>,
  stats: NormStats,
  mode: NormMode = 'quantile',
): Float64Array {
  const dim = stats.mean.length;
  checkDim(stats, dim);
  if (values.length % dim !== 0) {
    throw new FastTokenizerError(`${values.length} values do not divide into rows of ${dim} dimensions`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = i % dim;
    out[i] =
      mode === 'quantile'
        ? ((values[i] - stats.q01[d]) / (stats.q99[d] - stats.q01[d] + QUANTILE_EPS)) * 2 - 1
        : (values[i] - stats.mean[d]) / (stats.std[d] + STD_EPS);
  }
  return out;
}

/** Inverse of {@link normalize}: maps normalized values back to the data's units. */
export function unnormalize(
  values: ArrayLike<number>,
  stats: NormStats,
  mode: NormMode = 'quantile',
): Float64Array {
  const dim = stats.mean.length;
  if (values.length % dim !== 0) {
    throw new FastTokenizerError(`${values.length} values do not divide into rows of ${dim} dimensions`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = i % dim;
    out[i] =
      mode === 'quantile'
        ? ((values[i] + 1) / 2) * (stats.q99[d] - stats.q01[d] + QUANTILE_EPS) + stats.q01[d]
        : values[i] * (stats.std[d] + STD_EPS) + stats.mean[d];
  }
  return out;
}

/** Checks that parsed JSON is a {@link NormStats}; `source` names it in errors. */
export function parseNormStats(json: unknown, source = 'stats'): NormStats {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FastTokenizerError(`${source}: expected a JSON object of statistics`);
  }
  const obj = json as Record<string, unknown>;
  const keys = ['mean', 'std', 'min', 'max', 'q01', 'q99'] as const;
  let dim = -1;
  for (const key of keys) {
    const v = obj[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new FastTokenizerError(`${source}: "${key}" must be an array of finite numbers`);
    }
    if (dim === -1) dim = v.length;
    else if (v.length !== dim) {
      throw new FastTokenizerError(`${source}: "${key}" has ${v.length} dimensions, "mean" has ${dim}`);
    }
  }
  const count = obj.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new FastTokenizerError(`${source}: "count" must be a positive integer`);
  }
  return obj as unknown as NormStats;
}
