import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeGroupAdvantages, groupAdvantages } from '../src/group-advantages.js';

describe('groupAdvantages', () => {
  it('normalizes within groups with the unbiased std (hand-computed)', () => {
    // group [1, 0]: mean 0.5, unbiased std sqrt(0.5); group [2, 4, 9]: mean 5, std sqrt(13)
    const b = groupAdvantages([1, 0, 0, 1], 2);
    const s = Math.sqrt(0.5) + 1e-4;
    expect(Array.from(b)).toEqual([0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s]);
    const c = groupAdvantages([2, 4, 9], 3, { eps: 1e-6 });
    const sd = Math.sqrt(13) + 1e-6;
    expect(c[0]).toBeCloseTo(-3 / sd, 14);
    expect(c[2]).toBeCloseTo(4 / sd, 14);
  });

  it("'batch' divides by the std of the whole batch, 'none' only centers (Dr. GRPO)", () => {
    const rewards = [1, 0, 3, 3];
    // batch: mean 1.75, unbiased var ((0.75)^2 + (1.75)^2 + 2 * (1.25)^2) / 3 = 2.25
    const batch = groupAdvantages(rewards, 2, { scaleRewards: 'batch', eps: 0 });
    expect(Array.from(batch)).toEqual([0.5 / 1.5, -0.5 / 1.5, 0, 0]);
    expect(Array.from(groupAdvantages(rewards, 2, { scaleRewards: 'none' }))).toEqual([0.5, -0.5, 0, 0]);
  });

  it('reports the fraction of groups with zero spread', () => {
    const r = computeGroupAdvantages([1, 1, 0, 1, 2, 2], 2);
    expect(r.zeroStdFraction).toBeCloseTo(2 / 3, 15);
    expect(Array.from(r.advantages.subarray(0, 2))).toEqual([0, 0]);
  });

  it('treats a group of one as verl does (mean 0, std 1), not as TRL (unbiased std of one value: NaN)', () => {
    expect(Array.from(groupAdvantages([0.5, 2], 1, { eps: 0 }))).toEqual([0.5, 2]);
    // With the default eps each advantage is r / (1 + 1e-4): finite, sign and order of the rewards kept.
    const rewards = [1, 0, 2, 4, -9];
    const r = computeGroupAdvantages(rewards, 1);
    expect(Array.from(r.advantages)).toEqual(rewards.map((x) => x / (1 + 1e-4)));
    expect(Array.from(r.groupMeans)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(r.groupStds)).toEqual([1, 1, 1, 1, 1]);
    // A lone completion has no spread to measure; it is not counted as a zero-spread group.
    expect(r.zeroStdFraction).toBe(0);
    // 'none' only centers on the group mean, which verl sets to 0 (TRL's mean of one value would give 0
    // advantages); 'batch' divides by the batch's std.
    expect(Array.from(groupAdvantages(rewards, 1, { scaleRewards: 'none' }))).toEqual(rewards);
    const batchStd = Math.sqrt(rewards.reduce((a, x) => a + (x + 0.4) ** 2, 0) / 4); // mean -0.4
    const batch = groupAdvantages(rewards, 1, { scaleRewards: 'batch', eps: 0 });
    rewards.forEach((x, i) => {
      expect(batch[i]).toBeCloseTo(x / batchStd, 14);
    });
  });

  it('rejects bad input', () => {
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/do not split into groups of 2/);
    expect(() => groupAdvantages([1, Number.NaN], 2)).toThrow(/reward 1 is NaN/);
    expect(() => groupAdvantages([1, 2], 0)).toThrow(/groupSize/);
  });

  it('permuting groups permutes the advantages; each group sums to zero', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }), {
          minLength: 2,
          maxLength: 5,
        }),
        (groups) => {
          const flat = groups.flat();
          const a = groupAdvantages(flat, 4);
          const reversed = groupAdvantages([...groups].reverse().flat(), 4);
          const n = groups.length;
          for (let g = 0; g < n; g++) {
            for (let k = 0; k < 4; k++) expect(reversed[(n - 1 - g) * 4 + k]).toBe(a[g * 4 + k]);
            const sum = a[g * 4] + a[g * 4 + 1] + a[g * 4 + 2] + a[g * 4 + 3];
            expect(Math.abs(sum)).toBeLessThan(1e-9);
          }
        },
      ),
    );
  });
});
