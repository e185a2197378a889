import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/index.js';

describe('mulberry32', () => {
  it('gives the stream the former copies gave (pinned values)', () => {
    const rand = mulberry32(42);
    expect([rand(), rand(), rand()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(mulberry32(0)()).toBe(0.26642920868471265);
  });

  it('uses only the low 32 bits of the seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42 + 2 ** 32);
    for (let i = 0; i < 10; i++) expect(b()).toBe(a());
  });

  it('stays in [0, 1) and looks uniform', () => {
    const rand = mulberry32(7);
    const n = 100_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = rand();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
  });
});
