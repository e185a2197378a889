import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, editSimilarity, exactMatch, normalizedEditDistance } from '../src/sequence-rewards.js';

describe('exactMatch', () => {
  it('is 1 only for identical sequences', () => {
    expect(exactMatch([1, 2], [1, 2])).toBe(1);
    expect(exactMatch([1, 2, 3], [1, 2])).toBe(0);
    expect(exactMatch([], [])).toBe(1);
    expect(() => exactMatch([0.5], [1])).toThrow(/not an integer/);
  });
});

describe('edit distance', () => {
  const table: Array<[number[], number[], number]> = [
    [[], [], 0],
    [[1, 2, 3], [], 3],
    [[1, 2, 3], [1, 2, 3], 0],
    [[1, 2, 3, 4], [1, 2, 4], 1], // deletion
    [[1, 3], [1, 2, 3], 1], // insertion
    [[1, 2, 3], [1, 5, 3], 1], // substitution
    [[1, 2, 3], [3, 2, 1], 2],
    [[7, 7, 7, 7], [8, 8], 4],
  ];
  it.each(table)('%j → %j costs %i', (a, b, want) => {
    expect(editDistance(a, b)).toBe(want);
    expect(normalizedEditDistance(a, b)).toBe(
      a.length + b.length === 0 ? 0 : want / Math.max(a.length, b.length),
    );
  });

  const seq = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 10 });
  it('is a metric: symmetric, zero only on equal sequences, triangle inequality', () => {
    fc.assert(
      fc.property(seq, seq, seq, (a, b, c) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a.length === b.length && a.every((v, i) => v === b[i]));
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
        expect(editSimilarity(a, b)).toBeGreaterThanOrEqual(0);
        expect(editSimilarity(a, b)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
