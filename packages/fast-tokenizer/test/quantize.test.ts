import { describe, expect, it } from 'vitest';
import { coefficientsToText, textToCoefficients } from '../src/quantize.js';

const codePoints = (s: string) => Array.from(s, (c) => c.codePointAt(0));

describe('coefficientsToText', () => {
  it('scales, rounds half to even, and offsets by min_token', () => {
    // 0.25 * 10 = 2.5 -> 2 (even); 0.35 * 10 = 3.5 -> 4; -35.4 * 10 = -354 -> 0.
    expect(codePoints(coefficientsToText([0.25, 0.35, -35.4, 0], 10, -354))).toEqual([356, 358, 0, 354]);
  });

  it('clamps values below min_token to code point 0, as the reference does', () => {
    expect(codePoints(coefficientsToText([-100], 10, -354))).toEqual([0]);
  });

  it('keeps astral code points as one character each', () => {
    const text = coefficientsToText([7000], 100, 0);
    expect(codePoints(text)).toEqual([700000]);
    expect(textToCoefficients(text, 0)).toEqual([700000]);
  });

  it('rejects values whose code point is a surrogate or beyond U+10FFFF, naming the coefficient', () => {
    expect(() => coefficientsToText([0, 0xd800 / 10], 10, 0, 2)).toThrow(
      /chunk 2: coefficient 1 quantizes to 55296/,
    );
    expect(() => coefficientsToText([0x110000], 1, 0)).toThrow(/not a valid Unicode scalar/);
  });

  it('round-trips code points through textToCoefficients', () => {
    const text = coefficientsToText([1, -2, 3.04, 0], 10, -354);
    expect(textToCoefficients(text, -354)).toEqual([10, -20, 30, 0]);
  });

  it('handles long chunks (more code points than a spread can take at once)', () => {
    const values = Array.from({ length: 10000 }, (_, i) => i % 50);
    expect(textToCoefficients(coefficientsToText(values, 1, -5), -5)).toEqual(values);
  });
});
