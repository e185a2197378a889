import { roundToBits, toNumber } from './long-double.js';

/**
 * `cos` and `sin` of small arguments (0 ≤ x ≤ 0.9) to 200 bits, by Taylor series in BigInt fixed point:
 * correctly rounded values, and the double-double table entries of the C library's `sin`/`cos` (see
 * `libm-trig.ts`). Slow; only run while a transform length is planned.
 */

const FRACTION_BITS = 200n;
const ONE = 1n << FRACTION_BITS;

/** A non-negative double as a fixed-point BigInt with FRACTION_BITS fraction bits (exact for x ≥ 2^-148). */
function toFixed(x: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const mantissa = (BigInt((hi & 0xfffff) | (biased === 0 ? 0 : 0x100000)) << 32n) | BigInt(lo);
  const shift = BigInt(Math.max(biased, 1) - 1075) + FRACTION_BITS;
  const fixed = shift >= 0n ? mantissa << shift : mantissa >> -shift;
  return x < 0 ? -fixed : fixed;
}

function fixedToNumber(value: bigint): number {
  if (value === 0n) return 0;
  const negative = value < 0n;
  const rounded = toNumber(
    roundToBits({ mantissa: negative ? -value : value, exponent: -Number(FRACTION_BITS) }, 53),
  );
  return negative ? -rounded : rounded;
}

/** Taylor series `sum_k (-1)^k x^(2k + start) / (2k + start)!` in fixed point: start 0 is cos, 1 is sin. */
function series(x: number, start: 0 | 1): bigint {
  if (!(x >= 0 && x <= 0.9)) throw new RangeError(`exact trig expects 0 <= x <= 0.9, got ${x}`);
  const fx = toFixed(x);
  const x2 = (fx * fx) >> FRACTION_BITS;
  let term = start === 0 ? ONE : fx;
  let sum = term;
  for (let k = start + 1; term !== 0n; k += 2) {
    term = -((term * x2) >> FRACTION_BITS) / BigInt(k * (k + 1));
    sum += term;
  }
  return sum;
}

/** `cos(x)` correctly rounded, for 0 ≤ x ≤ 0.9. */
export function exactCos(x: number): number {
  return fixedToNumber(series(x, 0));
}

/** `sin(x)` correctly rounded, for 0 ≤ x ≤ 0.9. */
export function exactSin(x: number): number {
  return fixedToNumber(series(x, 1));
}

/**
 * `sin(x)` and `cos(x)` each as an unevaluated sum of two doubles, high part correctly rounded and the low
 * part the rounded remainder: `[sinHi, sinLo, cosHi, cosLo]`.
 */
export function sinCosDoubleDouble(x: number): [number, number, number, number] {
  const s = series(x, 1);
  const c = series(x, 0);
  const sHi = fixedToNumber(s);
  const cHi = fixedToNumber(c);
  return [sHi, fixedToNumber(s - toFixed(sHi)), cHi, fixedToNumber(c - toFixed(cHi))];
}
