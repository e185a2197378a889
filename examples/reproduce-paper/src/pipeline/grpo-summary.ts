import { pairedBootstrapDifference, percentileInterval95 } from '@roboalign/bench';
import { computeGroupAdvantages, ZERO_STD } from '@roboalign/grpo';
import { mulberry32 } from '@roboalign/utils';
import { mean } from './mean.js';

/** What `results.json` reports of the GRPO run (issue #21's "GRPO has signal"). */
export interface GrpoSummary {
  steps: number;
  /** Before training: the share of RL prompts whose sampled group had non-zero reward variance. */
  nonZeroVarianceBefore: number | null;
  /** Mean over steps of the share of groups whose rewards were all equal (no advantage, no gradient). */
  zeroVarianceFraction: number;
  /** Mean reward over the first and the last quarter of the steps. */
  rewardFirstQuarter: number;
  rewardLastQuarter: number;
  /** Bootstrap 95% interval of last − first quarter (steps resampled within each quarter); null below 8 steps. */
  rewardRiseCi95: [number, number] | null;
  finalKl: number;
}

/** One line of the GRPO log, as `GrpoTrainer.step` returns it. */
export type GrpoLogLine = Readonly<Record<string, number>>;

/** Resampling rounds of the reward-rise interval. */
const BOOTSTRAP_ROUNDS = 2000;

/**
 * Summarizes a GRPO log: zero-variance share, reward in the first and last quarter with a bootstrap interval
 * of their difference (a seeded percentile bootstrap over steps), and the last step's KL.
 */
export function summarizeGrpo(
  log: readonly GrpoLogLine[],
  options: { nonZeroVarianceBefore?: number | null; seed?: number } = {},
): GrpoSummary {
  if (log.length === 0) throw new Error('summarizeGrpo: the GRPO log is empty');
  const rewards = log.map((m) => m.reward);
  const quarter = Math.max(1, Math.floor(log.length / 4));
  const first = rewards.slice(0, quarter);
  const last = rewards.slice(-quarter);
  let rewardRiseCi95: [number, number] | null = null;
  if (log.length >= 8) {
    const rng = mulberry32(options.seed ?? 0);
    const resample = (xs: readonly number[]) => mean(xs.map(() => xs[Math.floor(rng() * xs.length)]));
    const rises = Array.from({ length: BOOTSTRAP_ROUNDS }, () => resample(last) - resample(first)).sort(
      (a, b) => a - b,
    );
    rewardRiseCi95 = percentileInterval95(rises);
  }
  return {
    steps: log.length,
    nonZeroVarianceBefore: options.nonZeroVarianceBefore ?? null,
    zeroVarianceFraction: mean(log.map((m) => m.zero_std_fraction)),
    rewardFirstQuarter: mean(first),
    rewardLastQuarter: mean(last),
    rewardRiseCi95,
    finalKl: log[log.length - 1].kl_mean,
  };
}

/**
 * The share of groups (rewards of one prompt's samples) whose rewards vary: standard deviation above grpo's
 * `ZERO_STD`, the criterion of the trainer's `zero_std_fraction` and of `variedGroups`.
 */
export function nonZeroVarianceShare(groups: readonly (readonly number[])[]): number {
  if (groups.length === 0) throw new Error('nonZeroVarianceShare: no groups');
  const varies = (g: readonly number[]) => computeGroupAdvantages(g, g.length).groupStds[0] > ZERO_STD;
  return groups.filter(varies).length / groups.length;
}

/** How a per-step figure moved between the first and the last pass over the same prompts. */
export interface PassRise {
  passes: number;
  /** Mean over steps of the last pass minus the first, step k against step k (the same prompts). */
  difference: number;
  /** Percentile interval from resampling the paired steps (`pairedBootstrapDifference`). */
  ci95: [number, number];
  /** Steps where the last pass is higher, and lower (for a sign test). */
  higher: number;
  lower: number;
}

/**
 * The rise of a per-step figure (e.g. `rewards/accuracy`) between the first and the last pass over the RL
 * prompts, when each pass draws the same prompts in the same order every `stepsPerPass` steps: a paired
 * comparison on the same prompts, which the first-against-last-quarter one is not once prompts differ.
 */
export function passRise(values: readonly number[], stepsPerPass: number, seed = 0): PassRise {
  if (!(Number.isInteger(stepsPerPass) && stepsPerPass >= 1))
    throw new Error(`passRise: stepsPerPass must be a positive integer, got ${stepsPerPass}`);
  const passes = Math.floor(values.length / stepsPerPass);
  if (passes < 2)
    throw new Error(`passRise: ${values.length} steps make fewer than 2 passes of ${stepsPerPass}`);
  const first = values.slice(0, stepsPerPass);
  const last = values.slice((passes - 1) * stepsPerPass, passes * stepsPerPass);
  const { difference, ci95 } = pairedBootstrapDifference(last, first, { resamples: BOOTSTRAP_ROUNDS, seed });
  return {
    passes,
    difference,
    ci95,
    higher: last.filter((v, k) => v > first[k]).length,
    lower: last.filter((v, k) => v < first[k]).length,
  };
}
