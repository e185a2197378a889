import { BenchError } from '../errors.js';

/** The standard normal quantile of 0.975: a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** A confidence interval for a proportion, both ends in [0, 1]. */
export interface RateInterval {
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson's score interval for `successes` out of `trials` (default 95%). Unlike the normal
 * approximation it stays inside [0, 1] and is not empty at 0/n or n/n, which small benchmark runs hit.
 *
 * @example
 * wilsonInterval(8, 10); // { low: 0.490…, high: 0.943… }
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): RateInterval {
  if (!Number.isInteger(trials) || trials < 1)
    throw new BenchError(`wilsonInterval: trials must be a positive integer, got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials)
    throw new BenchError(`wilsonInterval: successes must be an integer in 0..${trials}, got ${successes}`);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // Clamp the rounding error at the ends (0/n gives low = -1e-17).
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The percentile bootstrap's 95% interval from ascending-sorted resampled statistics: the values at indices
 * ⌊0.025·n⌋ and ⌊0.975·n⌋ (capped at n − 1).
 *
 * @example
 * percentileInterval95(Float64Array.from({ length: 1000 }, (_, i) => i)); // [25, 975]
 */
export function percentileInterval95(sorted: ArrayLike<number>): [number, number] {
  const n = sorted.length;
  if (n === 0) throw new BenchError('percentileInterval95: no resampled statistics');
  return [sorted[Math.floor(0.025 * n)], sorted[Math.min(n - 1, Math.floor(0.975 * n))]];
}
