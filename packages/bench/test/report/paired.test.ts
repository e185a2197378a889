import { describe, expect, it } from 'vitest';
import {
  mcnemarExact,
  mcnemarPower,
  newcombePairedInterval,
  pairedBootstrapDifference,
  pairedSuccessDifference,
} from '../../src/report/index.js';

describe('mcnemarExact', () => {
  // Two-sided binomial tails written out by hand: 2·Σ_{i≤k} C(n, i) / 2ⁿ, e.g. 10 vs 2 is 2·(1+12+66)/4096.
  it.each([
    [10, 2, 0.03857421875],
    [2, 10, 0.03857421875],
    [5, 0, 0.0625],
    [6, 0, 0.03125],
    [12, 2, 0.012939453125],
    [3, 3, 1],
    [1, 0, 1],
    [0, 0, 1],
    // Larger counts, from Python's exact integer arithmetic (math.comb).
    [30, 15, 0.035697803555194696],
    [40, 20, 0.01348929373119186],
  ])('%i vs %i discordant pairs: p = %f', (a, b, p) => {
    expect(mcnemarExact(a, b).pValue).toBeCloseTo(p, 12);
  });

  it('rejects counts that are not counts', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(/aOnly must be a non-negative integer, got -1/);
    expect(() => mcnemarExact(1, 2.5)).toThrow(/bOnly/);
  });
});

describe('newcombePairedInterval', () => {
  // Newcombe's method 10 evaluated independently in Python float64 (Wilson limits, then the phi-weighted
  // square roots); rows: both, A only, B only, neither.
  it.each([
    [36, 12, 2, 0, 0.05692958400323869, 0.3404276029749407],
    [5, 5, 0, 0, 0.11736746745022203, 0.7634069094874361],
    [0, 0, 0, 10, -0.2775327998628892, 0.2775327998628892],
    [6, 10, 2, 102, 0.010727319419967726, 0.1299653335153669],
  ])('%i/%i/%i/%i gives [%f, %f]', (both, aOnly, bOnly, neither, low, high) => {
    const [l, h] = newcombePairedInterval(both, aOnly, bOnly, neither);
    expect(l).toBeCloseTo(low, 10);
    expect(h).toBeCloseTo(high, 10);
  });

  it('mirrors when the runs swap', () => {
    const [l, h] = newcombePairedInterval(6, 10, 2, 102);
    const [ls, hs] = newcombePairedInterval(6, 2, 10, 102);
    expect(ls).toBeCloseTo(-h, 12);
    expect(hs).toBeCloseTo(-l, 12);
  });
});

describe('pairedSuccessDifference', () => {
  it('counts the 2×2 table from paired outcomes', () => {
    // 6 both, 10 A only, 2 B only, 102 neither: the last row of the table above.
    const a = [...Array(16).fill(true), ...Array(104).fill(false)];
    const b = [...Array(6).fill(true), ...Array(10).fill(false), true, true, ...Array(102).fill(false)];
    const d = pairedSuccessDifference(a, b);
    expect(d.n).toBe(120);
    expect(d.difference).toBeCloseTo(8 / 120, 15);
    expect(d.pValue).toBeCloseTo(0.03857421875, 12);
    expect(d.ci95[0]).toBeCloseTo(0.010727319419967726, 10);
    expect(d.test).toMatch(/McNemar/);
  });

  it('refuses runs of different lengths, which cannot be paired', () => {
    expect(() => pairedSuccessDifference([true], [true, false])).toThrow(/1 and 2 outcomes/);
    expect(() => pairedSuccessDifference([], [])).toThrow(/no pairs/);
  });
});

describe('pairedBootstrapDifference', () => {
  it('gives the mean difference, an interval around it, and no evidence for identical runs', () => {
    const same = pairedBootstrapDifference([1, 2, 0, 3], [1, 2, 0, 3]);
    expect(same.difference).toBe(0);
    expect(same.ci95).toEqual([0, 0]);
    expect(same.pValue).toBe(1);
  });

  it('finds a consistent shift significant and a noisy one not', () => {
    const base = Array.from({ length: 40 }, (_, i) => i % 5);
    const shifted = pairedBootstrapDifference(
      base.map((x) => x + 1),
      base,
      { seed: 3 },
    );
    expect(shifted.difference).toBe(1);
    expect(shifted.ci95).toEqual([1, 1]);
    expect(shifted.pValue).toBe(0);
    const noisy = pairedBootstrapDifference(
      base.map((x, i) => x + (i % 2 === 0 ? 1 : -1)),
      base,
      { seed: 3 },
    );
    expect(noisy.difference).toBe(0);
    expect(noisy.ci95[0]).toBeLessThan(0);
    expect(noisy.ci95[1]).toBeGreaterThan(0);
    expect(noisy.pValue).toBeGreaterThan(0.5);
  });

  it('is deterministic for a seed and checks its input', () => {
    const a = [3, 1, 4, 1, 5];
    const b = [2, 7, 1, 8, 2];
    expect(pairedBootstrapDifference(a, b, { seed: 9 })).toEqual(
      pairedBootstrapDifference(a, b, { seed: 9 }),
    );
    expect(() => pairedBootstrapDifference([1, Number.NaN], [1, 2])).toThrow(/finite/);
    expect(() => pairedBootstrapDifference([1], [1], { resamples: 10 })).toThrow(/resamples/);
  });
});

describe('mcnemarPower', () => {
  // The exact power summed in Python over every (discordant, A-favouring) count pair with math.comb.
  it.each([
    [20, 0.3, 0.1, 0.04566812204399579],
    [100, 0.2, 0.1, 0.5444454279352353],
    [200, 0.2, 0.1, 0.8753004831126038],
    [300, 0.25, 0.1, 0.9289546589123532],
  ])('%i pairs, discordant %f, difference %f: power %f', (pairs, discordantRate, difference, power) => {
    expect(mcnemarPower({ pairs, discordantRate, difference })).toBeCloseTo(power, 10);
  });

  it('is the test size (≤ α) when there is no difference', () => {
    const size = mcnemarPower({ pairs: 50, discordantRate: 0.5, difference: 0 });
    expect(size).toBeCloseTo(0.029586252280933388, 10);
    expect(size).toBeLessThanOrEqual(0.05);
  });

  it('rejects a difference larger than the discordant rate allows', () => {
    expect(() => mcnemarPower({ pairs: 10, discordantRate: 0.1, difference: 0.2 })).toThrow(/cannot exceed/);
  });
});
