import { describe, expect, it } from 'vitest';
import { percentileInterval95, wilsonInterval } from '../../src/report/index.js';

describe('wilsonInterval', () => {
  // 8/10 and 0/10 are textbook values (Newcombe 1998, Table I uses the same score interval); the others
  // come from Wilson's formula evaluated independently in Python float64.
  it.each([
    [8, 10, 0.4901625, 0.9433178],
    [0, 10, 0, 0.2775328],
    [10, 10, 0.7224672, 1],
    [1, 1, 0.2065493, 1],
    [37, 50, 0.6044684, 0.8412847],
  ])('%i of %i is [%f, %f]', (successes, trials, low, high) => {
    const interval = wilsonInterval(successes, trials);
    expect(interval.low).toBeCloseTo(low, 6);
    expect(interval.high).toBeCloseTo(high, 6);
  });

  it('widens with the confidence level and narrows with more trials', () => {
    const z99 = 2.5758293035489;
    expect(wilsonInterval(5, 10, z99).low).toBeLessThan(wilsonInterval(5, 10).low);
    expect(wilsonInterval(50, 100).high - wilsonInterval(50, 100).low).toBeLessThan(
      wilsonInterval(5, 10).high - wilsonInterval(5, 10).low,
    );
  });

  it('rejects counts that are not a proportion', () => {
    expect(() => wilsonInterval(1, 0)).toThrow(/trials must be a positive integer/);
    expect(() => wilsonInterval(3, 2)).toThrow(/successes must be an integer in 0..2/);
    expect(() => wilsonInterval(0.5, 2)).toThrow(/successes/);
  });
});

describe('percentileInterval95', () => {
  it('picks the ⌊0.025·n⌋-th and ⌊0.975·n⌋-th sorted values, capped at the last', () => {
    expect(percentileInterval95(Float64Array.from({ length: 1000 }, (_, i) => i))).toEqual([25, 975]);
    // n = 10: indices 0 and 9; n = 1: the one value twice.
    expect(percentileInterval95([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 10]);
    expect(percentileInterval95([4])).toEqual([4, 4]);
    expect(() => percentileInterval95([])).toThrow(/no resampled statistics/);
  });
});
