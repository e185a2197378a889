// Edges of the numerical helpers that the first mutation-testing run (docs/benchmarks.md) showed no test
// pinned: the rounding steps of the long-double emulation, glibc's small-argument shortcuts, the cosine
// basis, and the code-point limits of quantization. Expected values come from numpy.longdouble and
// Python's math.cos/math.sin (glibc 2.36, x86-64) where they are not plain arithmetic.
import { describe, expect, it } from 'vitest';
import { dct, dctBasis } from '../src/dct.js';
import { exactCos, exactSin } from '../src/fftpack/exact-trig.js';
import { libmCos, libmSin } from '../src/fftpack/libm-trig.js';
import { inverseSqrt, quarterPiOver, roundToBits } from '../src/fftpack/long-double.js';
import { coefficientsToText } from '../src/quantize.js';

describe('long-double emulation', () => {
  it('rounds to nearest with ties to even, and renormalizes a carry out of the top bit', () => {
    const r = (mantissa: bigint, bits: number) => roundToBits({ mantissa, exponent: 0 }, bits);
    expect(r(0b1011n, 4)).toEqual({ mantissa: 0b1011n, exponent: 0 }); // nothing to drop
    expect(r(0b10110n, 4)).toEqual({ mantissa: 0b1011n, exponent: 1 }); // exact
    expect(r(0b10101n, 4)).toEqual({ mantissa: 0b1010n, exponent: 1 }); // tie, even stays
    expect(r(0b10111n, 4)).toEqual({ mantissa: 0b1100n, exponent: 1 }); // tie, odd rounds up
    expect(r(0b101011n, 4)).toEqual({ mantissa: 0b1011n, exponent: 2 }); // below half
    expect(r(0b101110n, 4)).toEqual({ mantissa: 0b1100n, exponent: 2 }); // above half
    expect(r(0b11111n, 4)).toEqual({ mantissa: 0b1000n, exponent: 2 }); // 1111.1 → 10000
  });

  it('gives numpy.longdouble values for the angle step and the ortho factor', () => {
    // n, double(0.25L * pi / n), double(1 / sqrtl(n))
    const table: Array<[number, number, number]> = [
      [1, 0.7853981633974483, 1],
      [2, 0.39269908169872414, Math.SQRT1_2],
      [3, 0.26179938779914946, 0.5773502691896257],
      [5, 0.15707963267948966, 0.4472135954999579],
      [7, 0.1121997376282069, 0.37796447300922725],
      [12, 0.06544984694978737, 0.28867513459481287],
      [13, 0.060415243338265257, 0.2773500981126146],
      [100, 0.007853981633974483, 0.1],
      [1000, 0.0007853981633974483, 0.03162277660168379],
      [4096, 0.00019174759848570515, 0.015625],
    ];
    for (const [n, angle, factor] of table) {
      expect(quarterPiOver(n), `angle ${n}`).toBe(angle);
      expect(inverseSqrt(n), `factor ${n}`).toBe(factor);
    }
  });
});

describe("glibc's cos/sin at the small-argument branches", () => {
  it('matches glibc from 2^-28 up to the end of its table range', () => {
    // x, glibc cos(x), glibc sin(x)
    const table: Array<[number, number, number]> = [
      [2 ** -28, 1, 2 ** -28],
      [2 ** -27, 1, 2 ** -27],
      [2 ** -26, 0.9999999999999999, 2 ** -26],
      [2 ** -25, 0.9999999999999996, 2.980232238769531e-8],
      [0.1, 0.9950041652780258, 0.09983341664682815],
      [0.125999, 0.9920726220843031, 0.12566587647717],
      [0.126, 0.9920724964179307, 0.12566686854972925],
      [0.3, 0.955336489125606, 0.29552020666133955],
      [0.785, 0.7073882691671998, 0.706825181105366],
      [0.8554, 0.6559166288829146, 0.7548333431658096],
    ];
    for (const [x, c, s] of table) {
      expect(libmCos(x), `cos ${x}`).toBe(c);
      expect(libmSin(x), `sin ${x}`).toBe(s);
    }
  });

  it('rejects arguments outside the range it reproduces', () => {
    expect(() => libmCos(-0.1)).toThrow(/expects 0 <= x < 0.855469, got -0.1/);
    expect(() => libmCos(0.855469)).toThrow(RangeError);
    expect(() => libmSin(Number.NaN)).toThrow(RangeError);
    expect(() => exactSin(0.9000001)).toThrow(/expects 0 <= x <= 0.9/);
    expect(exactCos(0.9)).toBe(Math.cos(0.9));
  });
});

describe('dctBasis (the definition)', () => {
  it('is the orthonormal DCT-II matrix, cached per length', () => {
    const T = 6;
    const C = dctBasis(T);
    expect(C).toHaveLength(T * T);
    expect(dctBasis(T)).toBe(C);
    for (let k = 0; k < T; k++) {
      const s = k === 0 ? Math.sqrt(1 / T) : Math.sqrt(2 / T);
      for (let n = 0; n < T; n++) {
        expect(C[k * T + n]).toBeCloseTo(s * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * T)), 14);
      }
      // Rows are orthonormal.
      for (let j = 0; j < T; j++) {
        let dot = 0;
        for (let n = 0; n < T; n++) dot += C[k * T + n] * C[j * T + n];
        expect(dot).toBeCloseTo(k === j ? 1 : 0, 14);
      }
    }
    // The matrix product and the FFT order agree to rounding.
    const x = Float64Array.from({ length: T }, (_, i) => Math.sin(i + 0.3));
    const viaFft = dct(x, T, 1);
    for (let k = 0; k < T; k++) {
      let acc = 0;
      for (let n = 0; n < T; n++) acc += C[k * T + n] * x[n];
      expect(viaFft[k]).toBeCloseTo(acc, 14);
    }
  });

  it('rejects lengths that are not positive integers', () => {
    expect(() => dctBasis(0)).toThrow(/DCT length must be a positive integer, got 0/);
    expect(() => dctBasis(2.5)).toThrow(/got 2.5/);
    expect(() => dct([1, 2], 1.5, 1)).toThrow(/got 1.5/);
    expect(dctBasis(1)).toEqual(Float64Array.of(1));
  });
});

describe('quantization limits', () => {
  it('accepts the last code points before the surrogates and before U+110000, rejects the first ones', () => {
    const cp = (text: string) => text.codePointAt(0);
    expect(cp(coefficientsToText([0xd7ff], 1, 0))).toBe(0xd7ff);
    expect(() => coefficientsToText([0xdfff], 1, 0)).toThrow(/quantizes to 57343, whose code point 57343/);
    expect(cp(coefficientsToText([0xe000], 1, 0))).toBe(0xe000);
    expect(cp(coefficientsToText([0x10ffff], 1, 0))).toBe(0x10ffff);
    expect(() => coefficientsToText([0x10ffff + 1], 1, 0)).toThrow(/normalize it, or lower the scale/);
    // The message gives the quantized value before the offset, and the code point after it.
    expect(() => coefficientsToText([0x110000 - 5], 1, -10)).toThrow(
      /quantizes to 1114107, whose code point 1114117/,
    );
  });
});
