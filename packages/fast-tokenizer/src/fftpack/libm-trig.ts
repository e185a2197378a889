import { sinCosDoubleDouble } from './exact-trig.js';
import { fma } from './fma.js';

/**
 * `cos` and `sin` exactly as glibc's `libm` returns them on x86-64 (the IBM Accurate Mathematical Library
 * in `sysdeps/ieee754/dbl-64/s_sin.c`, in the variant built with FMA contraction that glibc selects on
 * CPUs with FMA), for 0 ≤ x < 0.855469 — the range of pocketfft's twiddle arguments (≤ pi / 4).
 *
 * pocketfft takes its twiddles from these functions, and they are not correctly rounded: about 0.3% of the
 * arguments involved come out one ulp off (max error 0.548 ulp), which is enough to change how a DCT
 * coefficient at k + 0.5 rounds. Same algorithm, same constants, same table, same fused operations
 * (checked against glibc 2.36 on 458,295 twiddle arguments: all equal). Planning-time only (BigInt FMA).
 */

// Polynomial coefficients of the glibc source (usncs.h and s_sin.c).
const SN3 = -0.16666666666666488;
const SN5 = 0.008333332142857223;
const CS2 = 0.5;
const CS4 = -0.04166666666666644;
const CS6 = 0.001388888740079376;
const S1 = -0.16666666666666666; // -0x1.5555555555555p-3
const S2 = 0.008333333333332329; // 0x1.1111111110ecep-7
const S3 = -0.00019841269834414642; // -0x1.a01a019db08b8p-13
const S4 = 2.755729806860771e-6; // 0x1.71de27b9a7ed9p-19
const S5 = -2.5022014848318398e-8; // -0x1.addffc2fcdf59p-26
/** 1.5 × 2^45: adding it rounds x to a multiple of 1/128, the table step. */
const BIG = 52776558133248;

/** sin and cos of i/128 as double-doubles, the role of glibc's `__sincostab` (recomputed, not copied). */
const table = new Map<number, [number, number, number, number]>();

function entry(k: number): [number, number, number, number] {
  let e = table.get(k);
  if (e === undefined) {
    e = sinCosDoubleDouble(k / 128);
    table.set(k, e);
  }
  return e;
}

function check(x: number): void {
  if (!(x >= 0 && x < 0.855469)) throw new RangeError(`libm trig expects 0 <= x < 0.855469, got ${x}`);
}

/** Splits x into the nearest multiple of 1/128 (its table index) and the remainder. */
function reduce(x: number): [index: number, rest: number] {
  const u = BIG + x;
  return [Math.round((u - BIG) * 128), x - (u - BIG)];
}

/** glibc `cos(x)` for 0 ≤ x < 0.855469 (`do_cos(x, 0)`; |x| < 2^-27 gives 1). */
export function libmCos(x: number): number {
  check(x);
  if (x < 2 ** -27) return 1;
  const [k, r] = reduce(x);
  const xr = r + 0;
  const xx = xr * xr;
  const s = fma(xr * xx, fma(xx, SN5, SN3), xr);
  const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  const [sn, ssn, cs, ccs] = entry(k);
  const cor = fma(-sn, s, fma(-cs, c, fma(-s, ssn, ccs)));
  return cs + cor;
}

/** glibc `sin(x)` for 0 ≤ x < 0.855469 (Taylor form below 0.126, table form above; |x| < 2^-26 gives x). */
export function libmSin(x: number): number {
  check(x);
  if (x < 2 ** -26) return x;
  if (x < 0.126) {
    const xx = x * x;
    const poly = fma(fma(fma(fma(S5, xx, S4), xx, S3), xx, S2), xx, S1);
    return x + fma(poly * x, xx, 0);
  }
  const [k, xr] = reduce(x);
  const xx = xr * xr;
  const s = xr + fma(xr * xx, fma(xx, SN5, SN3), 0);
  const c = fma(xx, fma(xx, fma(xx, CS6, CS4), CS2), xr * 0);
  const [sn, ssn, cs, ccs] = entry(k);
  const cor = fma(cs, s, fma(-sn, c, fma(s, ccs, ssn)));
  return sn + cor;
}
