// The feature probe's sanity rows: features that contain the target give R² ≈ 1, random features ≈ 0, for
// the ridge probe itself and for the object-position probe on a training set; and the closed form matches a
// solution worked out by hand.
import { ACTION_HEAD_PRESETS, computeNormStats, type HeadSample } from '@roboalign/action-head';
import { mulberry32 } from '@roboalign/utils';
import { describe, expect, it } from 'vitest';
import {
  fitRidge,
  objectProbe,
  type ProbeData,
  predictRidge,
  RIDGE_LAMBDAS,
  r2Score,
  ridgeProbe,
} from '../../src/pipeline/probe.js';
import { GR00T_INPUTS, type VlaTrainingSet } from '../../src/pipeline/vla.js';

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

/**
 * A training set of `episodes` demonstrations × 8 frames whose environment state is an object's position
 * (a start per episode, moving at a velocity of its own). Each sample has two feature tokens: the first a
 * linear map of the position plus a little noise (`informative`) or pure noise; the second, large noise,
 * masked out as padding (the probe pools real tokens only).
 */
function objectSet(seed: number, episodes: number, informative: boolean): VlaTrainingSet {
  const rand = mulberry32(seed);
  const map = mulberry32(7); // the same linear map in every set
  const width = 12;
  const mix = Float64Array.from({ length: 3 * width }, () => gaussian(map));
  const config = { ...ACTION_HEAD_PRESETS.small, backboneTokens: 2, backboneDim: width };
  const samples: HeadSample[] = [];
  const positions: number[] = [];
  const sampleEpisodes: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const start = [0.4 * rand() - 0.2, 0.4 * rand() - 0.2, 0.02 + 0.1 * rand()];
    const velocity = [0.02 * gaussian(rand), 0.02 * gaussian(rand), 0.01 * gaussian(rand)];
    for (let f = 0; f < 8; f++) {
      const position = start.map((p, k) => p + f * velocity[k]);
      const features = new Float32Array(2 * width);
      for (let c = 0; c < width; c++) {
        let v = 0.001 * gaussian(rand);
        for (let k = 0; k < 3; k++) v += position[k] * mix[k * width + c];
        features[c] = informative ? v : gaussian(rand);
        features[width + c] = 100 * gaussian(rand);
      }
      samples.push({
        features,
        featureMask: Float32Array.of(1, 0),
        state: new Float32Array(config.stateDim),
        embodiment: 0,
        actions: new Float32Array(config.horizon * config.actionDim),
        actionMask: new Float32Array(config.horizon * config.actionDim),
      });
      positions.push(...position);
      sampleEpisodes.push(e);
    }
  }
  return {
    inputs: GR00T_INPUTS,
    samples,
    sampleEpisodes: Int32Array.from(sampleEpisodes),
    sampleEnvironment: { values: Float32Array.from(positions), dim: 3 },
    config,
    stateStats: computeNormStats(new Float64Array(8), 8),
    active: new Array<boolean>(7).fill(true),
    tokens: 2,
  };
}

describe('objectProbe (pooled features → the position of what the instruction is about)', () => {
  it('gives R² ≈ 1 on features that contain the position', () => {
    const result = objectProbe(objectSet(5, 40, true), 0)!;
    expect(result.r2).toBeGreaterThan(0.99);
    expect(result.ci95[0]).toBeGreaterThan(0.99);
    expect(RIDGE_LAMBDAS).toContain(result.lambda);
  });

  it('gives R² ≈ 0 (|R²| < 0.15) on random features, its interval reaching no real fit (upper end < 0.05)', () => {
    // Slightly negative: the held-out episodes' mean position is not the training episodes' (−0.06 here).
    const result = objectProbe(objectSet(6, 100, false), 0)!;
    expect(Math.abs(result.r2)).toBeLessThan(0.15);
    expect(result.ci95[0]).toBeLessThan(result.r2);
    expect(result.ci95[1]).toBeLessThan(0.05);
    expect(result.ci95[1]).toBeGreaterThan(result.r2);
  });

  it("is the ridge probe on the set's rows: real tokens pooled, every fifth demonstration held out", () => {
    const set = objectSet(5, 40, true);
    const rows = (keep: (episode: number) => boolean): ProbeData => {
      const index = Array.from(set.sampleEpisodes.keys()).filter((i) => keep(set.sampleEpisodes[i]));
      return {
        x: Float64Array.from(index.flatMap((i) => Array.from(set.samples[i].features.subarray(0, 12)))),
        y: Float64Array.from(
          index.flatMap((i) => Array.from(set.sampleEnvironment!.values.subarray(3 * i, 3 * i + 3))),
        ),
        rows: index.length,
        xDim: 12,
        yDim: 3,
        groups: Int32Array.from(index, (i) => set.sampleEpisodes[i]),
      };
    };
    const expected = ridgeProbe(
      rows((e) => e % 5 !== 4),
      rows((e) => e % 5 === 4),
      { seed: 9 },
    );
    expect(objectProbe(set, 9)).toEqual(expected);
  });

  it('reads the robot state beside the pooled features with withState, and only then', () => {
    // Random features; the position sits in the first three state values instead.
    const set = objectSet(6, 40, false);
    set.samples.forEach((sample, i) => {
      sample.state.set(set.sampleEnvironment!.values.subarray(3 * i, 3 * i + 3));
    });
    expect(objectProbe(set, 0, { withState: true })!.r2).toBeGreaterThan(0.99);
    expect(objectProbe(set, 0)!.r2).toBeLessThan(0.15);
    expect(objectProbe(set, 0, { withState: false })).toEqual(objectProbe(set, 0));
  });

  it('is null without environment states, and with fewer than 10 demonstrations', () => {
    expect(objectProbe({ ...objectSet(5, 40, true), sampleEnvironment: null }, 0)).toBeNull();
    expect(objectProbe(objectSet(5, 9, true), 0)).toBeNull();
  });
});
