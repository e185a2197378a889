import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeNormStats,
  normalize,
  parseNormStats,
  sortedQuantile,
  unnormalize,
} from '../src/normalize.js';

describe('computeNormStats', () => {
  it('matches hand-computed numpy values', () => {
    // numpy: mean 3, std (ddof 0) sqrt(2), quantile(.., 0.01) = 1.04, quantile(.., 0.99) = 4.96
    const s = computeNormStats([1, 10, 2, 20, 3, 30, 4, 40, 5, 50], 2);
    expect(s.count).toBe(5);
    expect(s.mean).toEqual([3, 30]);
    expect(s.std[0]).toBeCloseTo(Math.SQRT2, 14);
    expect(s.std[1]).toBeCloseTo(10 * Math.SQRT2, 13);
    expect(s.min).toEqual([1, 10]);
    expect(s.max).toEqual([5, 50]);
    expect(s.q01[0]).toBeCloseTo(1.04, 14);
    expect(s.q99[1]).toBeCloseTo(49.6, 13);
  });

  it('computes linear quantiles like numpy', () => {
    expect(sortedQuantile([0, 10], 0.25)).toBe(2.5);
    expect(sortedQuantile([7], 0.99)).toBe(7);
  });

  it('rejects bad input with the position', () => {
    expect(() => computeNormStats([1, 2, 3], 2)).toThrow(/not a non-empty multiple of dim 2/);
    expect(() => computeNormStats([1, Number.NaN], 1)).toThrow(/row 1, dim 0 is NaN/);
  });
});

describe('normalize / unnormalize', () => {
  const stats = computeNormStats([0, -1, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9], 2);

  it('maps q01 to -1 and q99 to about 1 (openpi quantile form, no clipping)', () => {
    const n = normalize([stats.q01[0], stats.q99[1], 1e6, 0], stats, 'quantile');
    expect(n[0]).toBeCloseTo(-1, 12);
    expect(n[1]).toBeCloseTo(1, 5);
    expect(n[2]).toBeGreaterThan(1000); // not clipped
  });

  it('uses (x - mean) / (std + 1e-8) in mean-std mode', () => {
    const n = normalize([stats.mean[0] + stats.std[0], stats.mean[1]], stats, 'mean-std');
    expect(n[0]).toBeCloseTo(1, 8);
    expect(n[1]).toBe(0);
  });

  it('unnormalize inverts normalize in both modes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 2 }),
        (v) => {
          for (const mode of ['quantile', 'mean-std'] as const) {
            const back = unnormalize(normalize(v, stats, mode), stats, mode);
            expect(back[0]).toBeCloseTo(v[0], 9);
            expect(back[1]).toBeCloseTo(v[1], 9);
          }
        },
      ),
    );
  });

  it('rejects data whose width does not match the statistics', () => {
    expect(() => normalize([1, 2, 3], stats)).toThrow(/rows of 2 dimensions/);
  });
});

describe('parseNormStats', () => {
  it('round-trips through JSON', () => {
    const s = computeNormStats([1, 2, 3, 4], 2);
    expect(parseNormStats(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it('names the bad field', () => {
    expect(() => parseNormStats({ mean: [1], std: [1, 2] }, 'stats.json')).toThrow(/stats.json: "std" has 2/);
    expect(() => parseNormStats([], 'x')).toThrow(/x: expected a JSON object/);
  });
});
