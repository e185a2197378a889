import { mulberry32 } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import { percentileInterval95, wilsonInterval, Z_95 } from './stats.js';

/** A difference A − B between two policies evaluated on the same initial states, with its test. */
export interface PairedDifference {
  /** A's mean minus B's mean. */
  difference: number;
  /** Two-sided 95% interval of the difference. */
  ci95: [number, number];
  /** Two-sided p-value of "no difference". */
  pValue: number;
  /** Number of pairs (episodes or chains evaluated by both). */
  n: number;
  /** How the interval and the p-value were computed. */
  test: string;
}

/** The two-sided exact McNemar p-value as a result, with the discordant counts it was computed from. */
export interface McNemarResult {
  /** Pairs where only A succeeded. */
  aOnly: number;
  /** Pairs where only B succeeded. */
  bOnly: number;
  pValue: number;
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new BenchError(`${name} must be a non-negative integer, got ${value}`);
}

/** log C(n, k) by summing logs: exact enough (1e-13 relative) for the n of benchmark runs. */
function logChoose(n: number, k: number): number {
  let s = 0;
  const m = Math.min(k, n - k);
  for (let i = 1; i <= m; i++) s += Math.log(n - m + i) - Math.log(i);
  return s;
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(k: number, n: number): number {
  let total = 0;
  for (let i = 0; i <= k; i++) total += Math.exp(logChoose(n, i) - n * Math.LN2);
  return total;
}

/**
 * McNemar's exact test from the discordant counts: under "no difference", each discordant pair is A's with
 * probability 1/2, so the p-value is the two-sided binomial tail, `min(1, 2·P(X ≤ min(b, c)))` with
 * X ~ Binomial(b + c, 1/2). Concordant pairs carry no information about the difference.
 *
 * @example
 * mcnemarExact(10, 2).pValue; // 0.0386… (2·P(X ≤ 2), X ~ Bin(12, ½) = 2·79/4096)
 */
export function mcnemarExact(aOnly: number, bOnly: number): McNemarResult {
  checkCount('mcnemarExact: aOnly', aOnly);
  checkCount('mcnemarExact: bOnly', bOnly);
  const n = aOnly + bOnly;
  const pValue = n === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(aOnly, bOnly), n));
  return { aOnly, bOnly, pValue };
}

function checkPaired(name: string, a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length === 0) throw new BenchError(`${name}: no pairs`);
  if (a.length !== b.length)
    throw new BenchError(
      `${name}: the two runs have ${a.length} and ${b.length} outcomes; pairs need the same initial states`,
    );
}

/**
 * Success of A minus success of B over episodes run from the same initial states (`a[i]` and `b[i]` are
 * one pair). The p-value is McNemar's exact test; the interval is Newcombe's hybrid score interval for
 * paired proportions (Newcombe 1998, Stat Med 17:2635, method 10), which stays inside [−1, 1] and is not
 * empty when no pair is discordant.
 *
 * @example
 * pairedSuccessDifference([true, true, false], [true, false, false]); // difference 1/3, pValue 1
 */
export function pairedSuccessDifference(a: readonly boolean[], b: readonly boolean[]): PairedDifference {
  checkPaired('pairedSuccessDifference', a, b);
  let both = 0;
  let aOnly = 0;
  let bOnly = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) both++;
    else if (a[i]) aOnly++;
    else if (b[i]) bOnly++;
  }
  const n = a.length;
  return {
    difference: (aOnly - bOnly) / n,
    ci95: newcombePairedInterval(both, aOnly, bOnly, n - both - aOnly - bOnly),
    pValue: mcnemarExact(aOnly, bOnly).pValue,
    n,
    test: 'McNemar exact; Newcombe paired score interval',
  };
}

/**
 * Newcombe's hybrid score interval (method 10) for p₁ − p₂ from a paired 2×2 table: `both` succeeded in
 * both runs, `aOnly` / `bOnly` in one, `neither` in none.
 */
export function newcombePairedInterval(
  both: number,
  aOnly: number,
  bOnly: number,
  neither: number,
  z = Z_95,
): [number, number] {
  for (const [name, v] of Object.entries({ both, aOnly, bOnly, neither }))
    checkCount(`newcombePairedInterval: ${name}`, v);
  const n = both + aOnly + bOnly + neither;
  if (n === 0) throw new BenchError('newcombePairedInterval: no pairs');
  const p1 = (both + aOnly) / n;
  const p2 = (both + bOnly) / n;
  const w1 = wilsonInterval(both + aOnly, n, z);
  const w2 = wilsonInterval(both + bOnly, n, z);
  const marginals = (both + aOnly) * (bOnly + neither) * (both + bOnly) * (aOnly + neither);
  // The phi correlation of the two runs' outcomes; 0 where a margin is empty.
  const phi = marginals === 0 ? 0 : (both * neither - aOnly * bOnly) / Math.sqrt(marginals);
  const d = p1 - p2;
  const lower = (p1 - w1.low) ** 2 - 2 * phi * (p1 - w1.low) * (w2.high - p2) + (w2.high - p2) ** 2;
  const upper = (w1.high - p1) ** 2 - 2 * phi * (w1.high - p1) * (p2 - w2.low) + (p2 - w2.low) ** 2;
  return [Math.max(-1, d - Math.sqrt(Math.max(0, lower))), Math.min(1, d + Math.sqrt(Math.max(0, upper)))];
}

/**
 * Mean of A minus mean of B over paired measurements (e.g. chain lengths from the same initial states),
 * with a percentile interval from resampling pairs and the two-sided bootstrap p-value
 * `min(1, 2·min(P*(d ≤ 0), P*(d ≥ 0)))`. Deterministic for a given `seed`.
 *
 * @example
 * pairedBootstrapDifference([3, 2, 4], [1, 2, 2], { seed: 0 }).difference; // 4/3
 */
export function pairedBootstrapDifference(
  a: readonly number[],
  b: readonly number[],
  options: { resamples?: number; seed?: number } = {},
): PairedDifference {
  checkPaired('pairedBootstrapDifference', a, b);
  const resamples = options.resamples ?? 10_000;
  if (!Number.isInteger(resamples) || resamples < 100)
    throw new BenchError(`pairedBootstrapDifference: resamples must be an integer ≥ 100, got ${resamples}`);
  const deltas = a.map((x, i) => x - b[i]);
  if (!deltas.every(Number.isFinite))
    throw new BenchError('pairedBootstrapDifference: every measurement must be a finite number');
  const n = deltas.length;
  const difference = deltas.reduce((s, x) => s + x, 0) / n;
  const rand = mulberry32(options.seed ?? 0);
  const means = new Float64Array(resamples);
  let atMostZero = 0;
  let atLeastZero = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += deltas[Math.floor(rand() * n)];
    means[r] = s / n;
    if (means[r] <= 0) atMostZero++;
    if (means[r] >= 0) atLeastZero++;
  }
  means.sort();
  return {
    difference,
    ci95: percentileInterval95(means),
    pValue: Math.min(1, (2 * Math.min(atMostZero, atLeastZero)) / resamples),
    n,
    test: `paired bootstrap (${resamples} resamples)`,
  };
}

/** What {@link mcnemarPower} assumes about two policies compared on `pairs` shared initial states. */
export interface McNemarPowerOptions {
  pairs: number;
  /** Share of pairs where exactly one policy succeeds (measure it, e.g. between two head seeds). */
  discordantRate: number;
  /** The true success difference A − B to detect (e.g. 0.1). */
  difference: number;
  /** Two-sided level (default 0.05). */
  alpha?: number;
}

/**
 * The exact power of {@link mcnemarExact} at level α: the probability over `pairs` episodes that the test
 * rejects, when a pair is discordant with probability `discordantRate` and a discordant pair favours A
 * with probability `(discordantRate + difference) / (2·discordantRate)`. Sums the binomial mixture exactly.
 */
export function mcnemarPower(options: McNemarPowerOptions): number {
  const { pairs, discordantRate: psi, difference, alpha = 0.05 } = options;
  checkCount('mcnemarPower: pairs', pairs);
  if (!(psi > 0 && psi <= 1))
    throw new BenchError(`mcnemarPower: discordantRate must be in (0, 1], got ${psi}`);
  if (!(Math.abs(difference) <= psi))
    throw new BenchError(`mcnemarPower: |difference| ${difference} cannot exceed the discordant rate ${psi}`);
  const favoursA = (psi + difference) / (2 * psi);
  let power = 0;
  for (let d = 1; d <= pairs; d++) {
    const pDiscordant = Math.exp(logChoose(pairs, d) + d * Math.log(psi) + (pairs - d) * Math.log1p(-psi));
    if (pDiscordant < 1e-15) continue;
    // Reject when the smaller discordant count k has 2·P(X ≤ k) ≤ α: find the largest such k once per d.
    let critical = -1;
    let tail = 0;
    for (let k = 0; 2 * k < d; k++) {
      tail += Math.exp(logChoose(d, k) - d * Math.LN2);
      if (2 * tail > alpha) break;
      critical = k;
    }
    if (critical < 0) continue;
    let reject = 0;
    for (let k = 0; k <= critical; k++) {
      const logC = logChoose(d, k);
      reject += Math.exp(logC + k * Math.log(1 - favoursA) + (d - k) * Math.log(favoursA));
      reject += Math.exp(logC + k * Math.log(favoursA) + (d - k) * Math.log(1 - favoursA));
    }
    power += pDiscordant * reject;
  }
  return Math.min(1, power);
}
