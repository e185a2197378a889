// The GRPO summary on hand-made logs.
import { describe, expect, it } from 'vitest';
import { nonZeroVarianceShare, passRise, summarizeGrpo } from '../../src/pipeline/grpo-summary.js';

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
  it('counts groups whose rewards vary beyond grpo’s zero standard deviation', () => {
    expect(
      nonZeroVarianceShare([
        [0, 0, 0],
        [0, 0.5, 0],
        [1, 1, 1],
        [0.25, 0.25, 0.5],
      ]),
    ).toBe(0.5);
    // A rounding-level difference is no variance for the trainer either (its zero_std_fraction counts it).
    expect(nonZeroVarianceShare([[0.3, 0.3 + 1e-12]])).toBe(0);
    expect(() => nonZeroVarianceShare([])).toThrow(/no groups/);
  });
});

describe('passRise', () => {
  it('pairs step k of the last pass with step k of the first (hand table)', () => {
    // 3 passes of 4 steps; pass 2 is ignored. Differences 0.3, 0.1, −0.1, 0.1: mean 0.1.
    const values = [0.1, 0.2, 0.5, 0.0, 9, 9, 9, 9, 0.4, 0.3, 0.4, 0.1];
    const r = passRise(values, 4);
    expect(r.passes).toBe(3);
    expect(r.difference).toBeCloseTo(0.1, 12);
    expect([r.higher, r.lower]).toEqual([3, 1]);
    expect(r.ci95[0]).toBeGreaterThanOrEqual(-0.1 - 1e-12);
    expect(r.ci95[1]).toBeLessThanOrEqual(0.3 + 1e-12);
    expect(r.ci95[0]).toBeLessThanOrEqual(0.1);
    expect(r.ci95[1]).toBeGreaterThanOrEqual(0.1);
    // A constant shift has a zero-width interval at the shift; a trailing partial pass is left out.
    expect(passRise([0, 1, 0.5, 1.5, 7], 2).ci95).toEqual([0.5, 0.5]);
  });

  it('needs two whole passes', () => {
    expect(() => passRise([1, 2, 3], 2)).toThrow(/3 steps make fewer than 2 passes of 2/);
    expect(() => passRise([1, 2], 0)).toThrow(/stepsPerPass must be a positive integer, got 0/);
  });
});
