import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefixSimilarity } from '../src/prefix-similarity.js';

describe('prefixSimilarity', () => {
  const table: Array<[number[], number[], number]> = [
    [[5, 9, 2, 7], [5, 9, 2, 7], 1],
    [[5, 9, 3, 7], [5, 9, 2, 7], 0.5],
    [[5], [5, 9, 2, 7], 0.25],
    [[], [5, 9], 0],
    [[6, 9, 2, 7], [5, 9, 2, 7], 0], // first token wrong
    [[5, 9, 2, 7, 1, 1], [5, 9, 2, 7], 1], // longer than target: capped at 1
    [[5, 9, 2], [5, 9, 2, 7, 8], 0.6],
  ];
  it.each(table)('%j vs %j = %d', (generated, target, want) => {
    expect(prefixSimilarity(generated, target)).toBe(want);
  });

  it('rejects an empty target and non-integer ids, naming them', () => {
    expect(() => prefixSimilarity([1], [])).toThrow(/target ids are empty/);
    expect(() => prefixSimilarity([1, 2.5], [1])).toThrow(/generated ids: id at position 1 is 2.5/);
    expect(() => prefixSimilarity([1], [Number.NaN])).toThrow(/target ids: id at position 0 is NaN/);
  });

  const ids = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 12 });
  it('lies in [0, 1], is 1 exactly when the generation starts with the target, and grows with the prefix', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }), (g, t) => {
        const s = prefixSimilarity(g, t);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        const startsWith = t.every((v, i) => g[i] === v);
        expect(s === 1).toBe(startsWith);
        // Appending the next correct id never lowers the score.
        const k = Math.round(s * t.length);
        if (k < t.length) expect(prefixSimilarity([...g.slice(0, k), t[k]], t)).toBeGreaterThan(s);
      }),
    );
  });
});
