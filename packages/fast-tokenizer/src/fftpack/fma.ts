import { roundToBits, toNumber } from './long-double.js';

/** A finite double as `sign × mantissa × 2^exponent` with an integer mantissa (exact). */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const signed = hi >>> 31 ? -mantissa : mantissa;
  return { mantissa: signed, exponent: Math.max(biased, 1) - 1075 };
}

/**
 * `a × b + c` with a single rounding (IEEE fused multiply-add), computed exactly with BigInt. JavaScript
 * has no `Math.fma`; this is for reproducing C code compiled with FMA contraction, at planning time only
 * (it is slow). Finite normal-range inputs and results; the sign of an exact zero result follows `c`.
 */
export function fma(a: number, b: number, c: number): number {
  const x = decompose(a);
  const y = decompose(b);
  const z = decompose(c);
  const pe = x.exponent + y.exponent;
  const e = Math.min(pe, z.exponent);
  const sum = ((x.mantissa * y.mantissa) << BigInt(pe - e)) + (z.mantissa << BigInt(z.exponent - e));
  if (sum === 0n) return a * b + c; // an exact zero: let IEEE arithmetic pick its sign
  const negative = sum < 0n;
  const rounded = toNumber(roundToBits({ mantissa: negative ? -sum : sum, exponent: e }, 53));
  return negative ? -rounded : rounded;
}
