import { describe, expect, it } from 'vitest';
import { mixtureWeights, shareOf } from '../../src/pipeline/mixture.js';

describe('mixtureWeights', () => {
  it('draws every source by its size without fixed shares', () => {
    expect(mixtureWeights([6, 4, 2, 8])).toEqual([0.3, 0.2, 0.1, 0.4]);
  });

  it('gives a fixed share its samples and splits the rest by size', () => {
    // FAST (8 rows) at half the samples; the other 12 rows share the other half 6:4:2.
    const w = mixtureWeights([6, 4, 2, 8], [undefined, undefined, undefined, 0.5]);
    expect(w[3]).toBe(0.5);
    expect(w[0]).toBeCloseTo(0.25, 15);
    expect(w[1]).toBeCloseTo(0.5 / 3, 15);
    expect(w[2]).toBeCloseTo(0.5 / 6, 15);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });

  it('accepts shares for every source when they sum to 1', () => {
    expect(mixtureWeights([1, 100], [0.5, 0.5])).toEqual([0.5, 0.5]);
  });

  it('names what is wrong with bad shares or sizes', () => {
    expect(() => mixtureWeights([])).toThrow('no sources');
    expect(() => mixtureWeights([3, 0])).toThrow('source 1 has 0 rows');
    expect(() => mixtureWeights([3, 4], [0])).toThrow("source 0's share must be in (0, 1], got 0");
    expect(() => mixtureWeights([3, 4], [0.7, 0.6])).toThrow('sum to 1.3, over 1');
    expect(() => mixtureWeights([3, 4], [0.5, 0.4])).toThrow('they sum to 0.9, not 1');
    expect(() => mixtureWeights([3, 4], [1])).toThrow('leave nothing for the sources drawn by size');
    expect(() => mixtureWeights([3], [0.5, 0.5])).toThrow('2 shares for 1 sources');
  });
});

describe('shareOf', () => {
  it("fixes one source's share and leaves the others to be drawn by size", () => {
    const sources = ['general.jsonl', 'robot.jsonl', 'fast.jsonl'];
    const shares = shareOf(sources, 'fast.jsonl', 0.5);
    expect(shares).toEqual([undefined, undefined, 0.5]);
    // 0.5 to FAST, the other half split 6:4 by size.
    expect(mixtureWeights([6, 4, 20], shares)).toEqual([0.3, 0.2, 0.5]);
  });

  it('names a path that is not among the sources', () => {
    expect(() => shareOf(['a.jsonl'], 'fast.jsonl', 0.5)).toThrow(/fast\.jsonl is not one of/);
  });
});
