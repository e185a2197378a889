import { sortedQuantile } from '@roboalign/fast-tokenizer';
import { describe, expect, it } from 'vitest';
import {
  addToChannelHistograms,
  columnStats,
  emptyChannelHistograms,
  featureStatsToJson,
  imageChannelStats,
} from '../src/lerobot-stats.js';

describe('sortedQuantile, the quantile rule of the statistics (numpy linear method)', () => {
  it('interpolates between order statistics at h = (n - 1) q', () => {
    expect(sortedQuantile([0, 1, 2, 3], 0.01)).toBeCloseTo(0.03, 12);
    expect(sortedQuantile([0, 1, 2, 3], 0.99)).toBeCloseTo(2.97, 12);
    expect(sortedQuantile([0, 1, 2, 3], 0.5)).toBe(1.5);
    expect(sortedQuantile([10, 20, 40], 0.75)).toBe(30); // h = 1.5
    expect(sortedQuantile([7], 0.99)).toBe(7);
    expect(sortedQuantile([1, 2], 1)).toBe(2);
    expect(() => sortedQuantile([], 0.5)).toThrow('empty');
  });
});

describe('columnStats', () => {
  it('gives LeRobot statistics for actions [[0],[1],[2],[3]]', () => {
    const s = columnStats([0, 1, 2, 3], 4, 1);
    expect(s.min).toEqual([0]);
    expect(s.max).toEqual([3]);
    expect(s.mean).toEqual([1.5]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(1.25), 14); // population std, numpy ddof=0
    expect(s.q01[0]).toBeCloseTo(0.03, 12);
    expect(s.q99[0]).toBeCloseTo(2.97, 12);
    expect(s.count).toBe(4);
  });

  it('reduces each dimension over rows independently', () => {
    // rows: [1, -4], [3, 0] → dim 0: mean 2 std 1; dim 1: mean -2 std 2.
    const s = columnStats(Float32Array.of(1, -4, 3, 0), 2, 2);
    expect(s.min).toEqual([1, -4]);
    expect(s.max).toEqual([3, 0]);
    expect(s.mean).toEqual([2, -2]);
    expect(s.std).toEqual([1, 2]);
    expect(s.q99[1]).toBeCloseTo(-0.04, 12);
    expect(() => columnStats([1, 2, 3], 2, 2)).toThrow('expected [2, 2] values, got 3');
  });
});

describe('imageChannelStats', () => {
  it('computes exact per-channel statistics on the [0, 1] scale', () => {
    // Two pixels: (0, 10, 255) and (255, 10, 0); a second frame repeats them.
    const frame = { width: 2, height: 1, data: Uint8Array.of(0, 10, 255, 255, 10, 0) };
    const h = addToChannelHistograms(emptyChannelHistograms(), [frame, frame]);
    const s = imageChannelStats(h);
    expect(s.count).toBe(2);
    expect(s.min).toEqual([0, 10 / 255, 0]);
    expect(s.max).toEqual([1, 10 / 255, 1]);
    expect(s.mean).toEqual([0.5, 10 / 255, 0.5]);
    expect(s.std).toEqual([0.5, 0, 0.5]);
    // R sorted: [0, 0, 255, 255]; q01: h = 0.03 → 0; q99: h = 2.97 → 255.
    expect(s.q01).toEqual([0, 10 / 255, 0]);
    expect(s.q99).toEqual([1, 10 / 255, 1]);
    const single = imageChannelStats(addToChannelHistograms(emptyChannelHistograms(), [frame]));
    // R sorted: [0, 255]; q01: h = 0.01 → 2.55 / 255.
    expect(single.q01[0]).toBeCloseTo(0.01, 12);
    expect(single.q99[0]).toBeCloseTo(0.99, 12);
  });

  it('serializes image statistics with shape [3, 1, 1] and vectors flat', () => {
    const s = columnStats([0, 1, 2, 3], 4, 1);
    expect(featureStatsToJson(s, false, false)).toEqual({
      min: [0],
      max: [3],
      mean: [1.5],
      std: s.std,
      count: [4],
    });
    const img = imageChannelStats(
      addToChannelHistograms(emptyChannelHistograms(), [
        { width: 1, height: 1, data: Uint8Array.of(0, 51, 255) },
      ]),
    );
    const json = featureStatsToJson(img, true, true);
    expect(json.mean).toEqual([[[0]], [[0.2]], [[1]]]);
    expect(json.q99).toEqual([[[0]], [[0.2]], [[1]]]);
    expect(json.count).toEqual([1]);
  });
});
