import { roundToBits, toNumber } from './long-double.js';

/**
 * Correctly rounded `cos` and `sin` for the small angles (0 ≤ x ≤ pi / 4) of pocketfft's twiddle tables.
 * pocketfft calls the C library, whose results on glibc are the correctly rounded ones for these
 * arguments, while V8's `Math.cos`/`Math.sin` (fdlibm) are off by one ulp for a few percent of them,
 * enough to change how a DCT coefficient at k + 0.5 rounds. Taylor series in 200-bit fixed point with
 * BigInt, then one rounding to float64; only run while a transform length is planned.
 */

const FRACTION_BITS = 200n;
const ONE = 1n << FRACTION_BITS;

/** A non-negative double as a fixed-point BigInt with FRACTION_BITS fraction bits (exact for x ≥ 2^-148). */
function toFixed(x: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const mantissa = (BigInt((hi & 0xfffff) | (biased === 0 ? 0 : 0x100000)) << 32n) | BigInt(lo);
  const shift = BigInt(Math.max(biased, 1) - 1075) + FRACTION_BITS;
  return shift >= 0n ? mantissa << shift : mantissa >> -shift;
}

function fixedToNumber(value: bigint): number {
  if (value === 0n) return 0;
  const negative = value < 0n;
  const rounded = toNumber(
    roundToBits({ mantissa: negative ? -value : value, exponent: -Number(FRACTION_BITS) }, 53),
  );
  return negative ? -rounded : rounded;
}

/** Sum of the Taylor series `sum_k (-1)^k x^(2k + start) / (2k + start)!`: start 0 is cos, 1 is sin. */
function series(x: number, start: 0 | 1): number {
  if (!(x >= 0 && x <= 0.8)) throw new RangeError(`exactTrig expects 0 <= x <= pi/4, got ${x}`);
  const fx = toFixed(x);
  const x2 = (fx * fx) >> FRACTION_BITS;
  let term = start === 0 ? ONE : fx;
  let sum = term;
  for (let k = start + 1; term !== 0n; k += 2) {
    term = -((term * x2) >> FRACTION_BITS) / BigInt(k * (k + 1));
    sum += term;
  }
  return fixedToNumber(sum);
}

/** `cos(x)` correctly rounded, for 0 ≤ x ≤ pi / 4. */
export function exactCos(x: number): number {
  return series(x, 0);
}

/** `sin(x)` correctly rounded, for 0 ≤ x ≤ pi / 4. */
export function exactSin(x: number): number {
  return series(x, 1);
}
