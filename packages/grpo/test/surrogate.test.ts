import { describe, expect, it } from 'vitest';
import {
  clippedSurrogate,
  dualClip,
  dualClipBinds,
  importanceRatio,
  type TokenTerm,
} from '../src/surrogate.js';

const term = (): TokenTerm => [0, 0];
/** Central difference of `f` at `x`. */
const slope = (f: (x: number) => number, x: number, h = 1e-6) => (f(x + h) - f(x - h)) / (2 * h);

describe('per-token terms', () => {
  it('importanceRatio: exp of the log-ratio, derivative the ratio, zero past the clamp', () => {
    expect(importanceRatio(-1, -1.5, 20, term())).toEqual([Math.exp(0.5), Math.exp(0.5)]);
    expect(importanceRatio(30, 0, 20, term())).toEqual([Math.exp(20), 0]);
    expect(importanceRatio(0, 30, 20, term())).toEqual([Math.exp(-20), 0]);
    expect(importanceRatio(0, 30, Number.POSITIVE_INFINITY, term())[0]).toBe(Math.exp(-30));
  });

  it('clippedSurrogate: -min(A·r, A·clip(r)), gradient only on the unclipped branch', () => {
    // A > 0, r above 1 + 0.28: the clipped branch wins, no gradient.
    expect(clippedSurrogate(1.5, 1.5, 2, 0.8, 1.28, term())).toEqual([-2 * 1.28, 0]);
    // A < 0, r above the bound: -A·r is larger, the unclipped branch keeps its gradient.
    expect(clippedSurrogate(1.5, 1.5, -2, 0.8, 1.28, term())).toEqual([3, 3]);
    // A > 0, r below 1 - 0.2: unclipped (the pessimistic side).
    expect(clippedSurrogate(0.5, 0.5, 2, 0.8, 1.28, term())).toEqual([-1, -1]);
    for (const [logp, a] of [
      [0.1, 1],
      [-0.1, -1],
      [0.05, -0.5],
    ]) {
      const loss = (lp: number) => {
        const r = importanceRatio(lp, 0, 20, term());
        return clippedSurrogate(r[0], r[1], a, 0.8, 1.28, term())[0];
      };
      const r = importanceRatio(logp, 0, 20, term());
      expect(clippedSurrogate(r[0], r[1], a, 0.8, 1.28, term())[1]).toBeCloseTo(slope(loss, logp), 6);
    }
  });

  it('dualClip: caps the loss at -A·c for negative advantages only', () => {
    expect(dualClipBinds(7, -2, 3)).toBe(true);
    expect(dualClip(7, 7, -2, 3, term())).toEqual([6, 0]);
    expect(dualClip(5, 5, -2, 3, term())).toEqual([5, 5]);
    expect(dualClipBinds(7, 2, 3)).toBe(false);
    expect(dualClip(7, 7, 2, 3, term())).toEqual([7, 7]);
  });
});
