// The GRPO summary on hand-made logs.
import { describe, expect, it } from 'vitest';
import { nonZeroVarianceShare, summarizeGrpo } from '../../src/pipeline/grpo-summary.js';

const line = (reward: number, zero: number, kl: number) => ({ reward, zero_std_fraction: zero, kl_mean: kl });

describe('summarizeGrpo', () => {
  it('gives quarter means, the mean zero-variance share and the last KL', () => {
    // 8 steps: quarters of 2; first (0 + 0.1) / 2, last (0.5 + 0.7) / 2.
    const rewards = [0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.7];
    const log = rewards.map((r, i) => line(r, i < 4 ? 1 : 0, i / 100));
    const s = summarizeGrpo(log, { nonZeroVarianceBefore: 0.4 });
    expect(s.steps).toBe(8);
    expect(s.rewardFirstQuarter).toBeCloseTo(0.05, 12);
    expect(s.rewardLastQuarter).toBeCloseTo(0.6, 12);
    expect(s.zeroVarianceFraction).toBeCloseTo(0.5, 12);
    expect(s.finalKl).toBeCloseTo(0.07, 12);
    expect(s.nonZeroVarianceBefore).toBe(0.4);
    // Resampled means lie between each quarter's extremes: the rise between 0.5 − 0.1 and 0.7 − 0.
    const [lo, hi] = s.rewardRiseCi95!;
    expect(lo).toBeGreaterThanOrEqual(0.4 - 1e-12);
    expect(hi).toBeLessThanOrEqual(0.7 + 1e-12);
    expect(lo).toBeLessThanOrEqual(0.55);
    expect(hi).toBeGreaterThanOrEqual(0.55);
  });

  it('gives a zero-width interval for constant quarters, and none below 8 steps', () => {
    const flat = summarizeGrpo(Array.from({ length: 8 }, () => line(0.2, 1, 0)));
    expect(flat.rewardRiseCi95).toEqual([0, 0]);
    expect(summarizeGrpo([line(0.1, 0, 0), line(0.2, 0, 0)]).rewardRiseCi95).toBeNull();
    expect(() => summarizeGrpo([])).toThrow(/empty/);
  });
});

describe('nonZeroVarianceShare', () => {
  it('counts groups whose rewards are not all equal', () => {
    expect(
      nonZeroVarianceShare([
        [0, 0, 0],
        [0, 0.5, 0],
        [1, 1, 1],
        [0.25, 0.25, 0.5],
      ]),
    ).toBe(0.5);
    expect(() => nonZeroVarianceShare([])).toThrow(/no groups/);
  });
});
