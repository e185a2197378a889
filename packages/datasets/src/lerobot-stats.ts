import { computeNormStats, type NormStats } from '@roboalign/fast-tokenizer';
import { DatasetError } from './errors.js';
import type { RgbImage } from './rgb-image.js';

/**
 * Statistics of one feature, one entry per dimension (vectors) or per colour channel (images): min, max,
 * mean, population std (numpy ddof 0), q01/q99 (numpy's `linear` quantile) and the frame count. Image
 * statistics are on the [0, 1] scale (pixel / 255), as LeRobot stores them. The same record as the
 * tokenizer's normalization statistics, so a dataset's `stats.json` entry normalizes actions as it is.
 */
export type FeatureStats = NormStats;

/**
 * Per-dimension statistics of row-major `[rows, dim]` values over the rows (LeRobot's per-frame reduction),
 * computed by `@roboalign/fast-tokenizer`'s {@link computeNormStats}: sums in float64, two passes for the std.
 */
export function columnStats(values: ArrayLike<number>, rows: number, dim: number): FeatureStats {
  if (values.length !== rows * dim)
    throw new DatasetError(`stats: expected [${rows}, ${dim}] values, got ${values.length}`);
  if (rows === 0) throw new DatasetError('stats: no rows');
  return computeNormStats(values, dim);
}

/** Per-channel pixel-value histograms (256 bins each) of RGB frames, the exact basis of image statistics. */
export interface ChannelHistograms {
  readonly counts: readonly [Float64Array, Float64Array, Float64Array];
  frames: number;
}

/** A zeroed {@link ChannelHistograms}. */
export function emptyChannelHistograms(): ChannelHistograms {
  return { counts: [new Float64Array(256), new Float64Array(256), new Float64Array(256)], frames: 0 };
}

/** Adds the pixels of `frames` to `histograms` (mutates and returns it). */
export function addToChannelHistograms(
  histograms: ChannelHistograms,
  frames: readonly RgbImage[],
): ChannelHistograms {
  const [r, g, b] = histograms.counts;
  for (const { data } of frames) {
    for (let i = 0; i < data.length; i += 3) {
      r[data[i]]++;
      g[data[i + 1]]++;
      b[data[i + 2]]++;
    }
  }
  histograms.frames += frames.length;
  return histograms;
}

/**
 * Per-channel statistics over every pixel of every frame, scaled to [0, 1]. Exact (from 256-bin
 * histograms), where LeRobot estimates them from a subsample of (possibly downsampled) frames.
 */
export function imageChannelStats(histograms: ChannelHistograms): FeatureStats {
  if (histograms.frames === 0) throw new DatasetError('image stats: no frames');
  const out = emptyStats(3, histograms.frames);
  histograms.counts.forEach((counts, c) => {
    let n = 0;
    let sum = 0;
    for (let v = 0; v < 256; v++) {
      n += counts[v];
      sum += v * counts[v];
    }
    const mean = sum / n;
    let squares = 0;
    for (let v = 0; v < 256; v++) squares += counts[v] * (v - mean) ** 2;
    out.min[c] = counts.findIndex((k) => k > 0) / 255;
    out.max[c] = (255 - [...counts].reverse().findIndex((k) => k > 0)) / 255;
    out.mean[c] = mean / 255;
    out.std[c] = Math.sqrt(squares / n) / 255;
    out.q01[c] = histogramQuantile(counts, n, 0.01) / 255;
    out.q99[c] = histogramQuantile(counts, n, 0.99) / 255;
  });
  return out;
}

/** `sortedQuantile` (numpy `linear`) over the sorted sample a histogram of integer values 0..255 stands for. */
function histogramQuantile(counts: Float64Array, n: number, q: number): number {
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const at = (rank: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += counts[v];
      if (rank < seen) return v;
    }
    return 255;
  };
  const a = at(lo);
  const b = at(Math.min(lo + 1, n - 1));
  return a + (h - lo) * (b - a);
}

function emptyStats(
  dim: number,
  count: number,
): {
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  q01: number[];
  q99: number[];
  count: number;
} {
  const zeros = (): number[] => new Array<number>(dim).fill(0);
  return { min: zeros(), max: zeros(), mean: zeros(), std: zeros(), q01: zeros(), q99: zeros(), count };
}

/** JSON value of one statistic: a vector, or `[3, 1, 1]` nested arrays for images (LeRobot's shape). */
export type StatJson = number[] | number[][][];

/**
 * The JSON form LeRobot writes for one feature. `withQuantiles` adds `q01`/`q99` (our `stats.json`);
 * without them it is the v2.1 `episodes_stats.jsonl` entry (`min`, `max`, `mean`, `std`, `count`).
 */
export function featureStatsToJson(
  stats: FeatureStats,
  isImage: boolean,
  withQuantiles: boolean,
): Record<string, StatJson> {
  const shape = (v: number[]): StatJson => (isImage ? v.map((x) => [[x]]) : v);
  const out: Record<string, StatJson> = {
    min: shape(stats.min),
    max: shape(stats.max),
    mean: shape(stats.mean),
    std: shape(stats.std),
    count: [stats.count],
  };
  if (withQuantiles) {
    out.q01 = shape(stats.q01);
    out.q99 = shape(stats.q99);
  }
  return out;
}
