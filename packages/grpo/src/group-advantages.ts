import { GrpoError } from './errors.js';

/**
 * How rewards are scaled after subtracting the group mean:
 * - `'group'`: divide by the group's standard deviation (GRPO; TRL and verl default);
 * - `'batch'`: divide by the standard deviation of the whole batch (TRL's `scale_rewards="batch"`);
 * - `'none'`: do not divide (Dr. GRPO).
 */
/** A group's reward standard deviation at or below this counts as zero (torch.isclose(std, 0), as TRL counts it). */
export const ZERO_STD = 1e-8;

export type ScaleRewards = 'group' | 'batch' | 'none';

/** Options of {@link groupAdvantages}. */
export interface GroupAdvantageOptions {
  /** Default `'group'`. */
  scaleRewards?: ScaleRewards;
  /** Added to the standard deviation; default 1e-4 (TRL). verl and EasyR1 use 1e-6. */
  eps?: number;
}

/** Advantages with the statistics behind them. */
export interface GroupAdvantageResult {
  advantages: Float64Array;
  /** Mean reward of each group. */
  groupMeans: Float64Array;
  /** Unbiased standard deviation of each group's rewards (1 for a group of one, as verl sets it). */
  groupStds: Float64Array;
  /** Fraction of groups whose rewards have zero spread (they teach nothing). */
  zeroStdFraction: number;
}

/** Unbiased (n - 1) standard deviation, as `torch.std` computes it. */
function unbiasedStd(values: ArrayLike<number>, from: number, to: number, mean: number): number {
  let sq = 0;
  for (let i = from; i < to; i++) sq += (values[i] - mean) ** 2;
  return Math.sqrt(sq / (to - from - 1));
}

/**
 * {@link groupAdvantages} with per-group statistics and the zero-spread fraction.
 * A group of size one gets mean 0 and standard deviation 1, as verl's GRPO estimator sets them.
 */
export function computeGroupAdvantages(
  rewards: ArrayLike<number>,
  groupSize: number,
  options: GroupAdvantageOptions = {},
): GroupAdvantageResult {
  const scale = options.scaleRewards ?? 'group';
  const eps = options.eps ?? 1e-4;
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new GrpoError(`groupSize must be a positive integer, got ${groupSize}`);
  }
  if (rewards.length % groupSize !== 0) {
    throw new GrpoError(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  }
  if (scale !== 'group' && scale !== 'batch' && scale !== 'none') {
    throw new GrpoError(`scaleRewards must be 'group', 'batch' or 'none', got ${String(scale)}`);
  }
  if (!(eps >= 0)) throw new GrpoError(`eps must be non-negative, got ${eps}`);
  for (let i = 0; i < rewards.length; i++) {
    if (!Number.isFinite(rewards[i])) throw new GrpoError(`reward ${i} is ${rewards[i]}`);
  }
  const groups = rewards.length / groupSize;
  const groupMeans = new Float64Array(groups);
  const groupStds = new Float64Array(groups);
  let zero = 0;
  for (let g = 0; g < groups; g++) {
    const from = g * groupSize;
    const to = from + groupSize;
    if (groupSize === 1) {
      groupStds[g] = 1;
      continue;
    }
    let sum = 0;
    for (let i = from; i < to; i++) sum += rewards[i];
    groupMeans[g] = sum / groupSize;
    groupStds[g] = unbiasedStd(rewards, from, to, groupMeans[g]);
    if (groupStds[g] <= ZERO_STD) zero++;
  }
  let batchStd = 1;
  if (scale === 'batch') {
    let sum = 0;
    for (let i = 0; i < rewards.length; i++) sum += rewards[i];
    batchStd = rewards.length > 1 ? unbiasedStd(rewards, 0, rewards.length, sum / rewards.length) : 1;
  }
  const advantages = new Float64Array(rewards.length);
  for (let i = 0; i < rewards.length; i++) {
    const g = Math.floor(i / groupSize);
    const centered = rewards[i] - groupMeans[g];
    advantages[i] =
      scale === 'none' ? centered : centered / ((scale === 'group' ? groupStds[g] : batchStd) + eps);
  }
  return { advantages, groupMeans, groupStds, zeroStdFraction: groups === 0 ? 0 : zero / groups };
}

/**
 * GRPO advantages, `(r - mean_group) / (std_group + eps)` with the unbiased standard deviation.
 * Rewards are ordered group by group: the `groupSize` completions of prompt 0, then of prompt 1, …
 *
 * @example
 * groupAdvantages([1, 0, 0, 1], 2); // ≈ [0.7071, -0.7071, -0.7071, 0.7071]
 */
export function groupAdvantages(
  rewards: ArrayLike<number>,
  groupSize: number,
  options: GroupAdvantageOptions = {},
): Float64Array {
  return computeGroupAdvantages(rewards, groupSize, options).advantages;
}
