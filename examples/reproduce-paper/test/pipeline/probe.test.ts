// The feature probe's sanity rows: features that contain the target give R² ≈ 1, random features ≈ 0; and
// the closed form matches a solution worked out by hand.
import { mulberry32 } from '@roboalign/utils';
import { describe, expect, it } from 'vitest';
import { fitRidge, type ProbeData, predictRidge, r2Score, ridgeProbe } from '../../src/pipeline/probe.js';

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** `episodes × perEpisode` rows of 12-D features; the 3-D target is a linear map of the features (plus noise). */
function dataset(seed: number, episodes: number, informative: boolean): ProbeData {
  const rand = mulberry32(seed);
  const map = mulberry32(99); // the same linear map in every split
  const mix = Float64Array.from({ length: 12 * 3 }, () => gaussian(map));
  const perEpisode = 10;
  const rows = episodes * perEpisode;
  const x = Float64Array.from({ length: rows * 12 }, () => gaussian(rand));
  const y = new Float64Array(rows * 3);
  const source = informative ? x : Float64Array.from({ length: rows * 12 }, () => gaussian(rand));
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < 3; c++) {
      let s = 0.01 * gaussian(rand);
      for (let a = 0; a < 12; a++) s += source[r * 12 + a] * mix[a * 3 + c];
      y[r * 3 + c] = s;
    }
  const groups = Int32Array.from({ length: rows }, (_, r) => Math.floor(r / perEpisode) + seed * 1000);
  return { x, y, rows, xDim: 12, yDim: 3, groups };
}

describe('ridgeProbe', () => {
  it('gives R² ≈ 1 on features that contain the target', () => {
    const result = ridgeProbe(dataset(1, 20, true), dataset(2, 10, true));
    expect(result.r2).toBeGreaterThan(0.99);
    expect(result.ci95[0]).toBeGreaterThan(0.99);
  });

  it('gives R² ≈ 0 on random features, with an interval that covers 0', () => {
    const result = ridgeProbe(dataset(3, 20, false), dataset(4, 10, false));
    expect(Math.abs(result.r2)).toBeLessThan(0.15);
    expect(result.ci95[0]).toBeLessThan(0);
    expect(result.ci95[1]).toBeGreaterThan(-0.3);
  });
});

describe('fitRidge', () => {
  it('matches the closed form worked by hand on 1-D data', () => {
    // x = 0, 1, 2, 3; y = 1 + 2x. Centred: x̄ = 1.5, Σxc² = 5, Σxc·yc = 10. λ relative to the mean
    // diagonal (5): w = 10 / (5 + 5λ). With λ = 1, w = 1 and the intercept is ȳ − w·x̄ = 4 − 1.5 = 2.5.
    const data: ProbeData = {
      x: Float64Array.from([0, 1, 2, 3]),
      y: Float64Array.from([1, 3, 5, 7]),
      rows: 4,
      xDim: 1,
      yDim: 1,
      groups: Int32Array.from([0, 1, 2, 3]),
    };
    const model = fitRidge(data, 1);
    expect(model.weights[0]).toBeCloseTo(1, 12);
    expect(predictRidge(model, Float64Array.from([0]), 1)[0]).toBeCloseTo(2.5, 12);
    const exact = fitRidge(data, 1e-12);
    expect(exact.weights[0]).toBeCloseTo(2, 9);
    expect(r2Score(data.y, predictRidge(exact, data.x, 4), 1)).toBeCloseTo(1, 9);
  });
});
