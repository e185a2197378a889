import { describe, expect, it } from 'vitest';
import { dct, idct } from '../src/dct.js';
import { gaussian, mulberry32 } from './helpers/random.js';

// The definitions, summed directly in float64 with unreduced cosine arguments.
function directDct(x: Float64Array, T: number, D: number): Float64Array {
  const out = new Float64Array(T * D);
  for (let k = 0; k < T; k++) {
    const s = k === 0 ? Math.sqrt(1 / T) : Math.sqrt(2 / T);
    for (let d = 0; d < D; d++) {
      let sum = 0;
      for (let n = 0; n < T; n++) sum += x[n * D + d] * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * T));
      out[k * D + d] = s * sum;
    }
  }
  return out;
}

function directIdct(X: Float64Array, T: number, D: number): Float64Array {
  const out = new Float64Array(T * D);
  for (let n = 0; n < T; n++) {
    for (let d = 0; d < D; d++) {
      let sum = 0;
      for (let k = 0; k < T; k++) {
        const s = k === 0 ? Math.sqrt(1 / T) : Math.sqrt(2 / T);
        sum += s * X[k * D + d] * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * T));
      }
      out[n * D + d] = sum;
    }
  }
  return out;
}

function maxRelError(a: Float64Array, b: Float64Array): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

describe('dct / idct', () => {
  const rand = mulberry32(7);
  const shapes: Array<[number, number]> = [
    [1, 1],
    [2, 3],
    [5, 7],
    [10, 7],
    [16, 32],
    [30, 26],
    [50, 32],
    [64, 3],
    [100, 2],
  ];

  it.each(shapes)('matches the direct float64 sum to 1e-12 relative for [%i, %i]', (T, D) => {
    const x = Float64Array.from({ length: T * D }, () => gaussian(rand));
    expect(maxRelError(dct(x, T, D), directDct(x, T, D))).toBeLessThan(1e-12);
    expect(maxRelError(idct(x, T, D), directIdct(x, T, D))).toBeLessThan(1e-12);
  });

  it.each(shapes)('idct inverts dct for [%i, %i]', (T, D) => {
    const x = Float64Array.from({ length: T * D }, () => gaussian(rand));
    expect(maxRelError(idct(dct(x, T, D), T, D), x)).toBeLessThan(1e-13);
  });

  it('is orthonormal: energy is preserved (Parseval)', () => {
    const x = Float64Array.from({ length: 50 * 4 }, () => gaussian(rand));
    const X = dct(x, 50, 4);
    const energy = (v: Float64Array) => v.reduce((s, a) => s + a * a, 0);
    expect(energy(X)).toBeCloseTo(energy(x), 10);
  });

  it('puts a constant signal entirely in frequency 0, scaled by sqrt(T)', () => {
    const X = dct(new Float64Array(10).fill(0.5), 10, 1);
    expect(X[0]).toBeCloseTo(0.5 * Math.sqrt(10), 14);
    for (let k = 1; k < 10; k++) expect(Math.abs(X[k])).toBeLessThan(1e-15);
  });

  it('orders coefficients row-major: all dims of frequency 0, then frequency 1', () => {
    // dim 0 constant 1, dim 1 constant 2 over 4 steps.
    const X = dct(Float64Array.from([1, 2, 1, 2, 1, 2, 1, 2]), 4, 2);
    expect(X[0]).toBeCloseTo(2, 14);
    expect(X[1]).toBeCloseTo(4, 14);
    expect(Math.abs(X[2]) + Math.abs(X[3])).toBeLessThan(1e-14);
  });

  it('rejects a non-positive length', () => {
    expect(() => dct([], 0, 1)).toThrow(/positive integer/);
  });
});
