import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from '../src/round-half-even.js';

describe('roundHalfEven', () => {
  it('rounds exact halves to the even neighbour, as numpy.around does', () => {
    const table: Array<[number, number]> = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [3.5, 4],
      [-0.5, -0],
      [-1.5, -2],
      [-2.5, -2],
      [-3.5, -4],
      [1e15 + 0.5, 1e15],
      [2.4999999999999996, 2],
      [0.49999999999999994, 0],
    ];
    for (const [x, want] of table) expect(roundHalfEven(x)).toBe(want);
  });

  it('agrees with Math.round away from halves and is within 0.5 everywhere', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => {
        const r = roundHalfEven(x);
        expect(Number.isInteger(r)).toBe(true);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
        if (Math.abs(x - Math.trunc(x)) !== 0.5) expect(r).toBe(Math.round(x));
        else expect(Math.abs(r % 2)).toBe(0);
      }),
    );
  });
});
