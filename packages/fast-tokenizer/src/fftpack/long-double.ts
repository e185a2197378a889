/**
 * The few constants pocketfft computes in x87 `long double` (64-bit significand) and then rounds to
 * `double`, emulated exactly with BigInt. Plain float64 arithmetic gives a different last bit for about a
 * quarter of all lengths (e.g. `1 / Math.sqrt(2 * 3)` vs scipy's normalization factor for length 3).
 * These run once per transform length and are cached by the callers.
 */

/** pi rounded to a 64-bit significand: 0xC90FDAA22168C235 × 2^-62 (what `3.14159…L` is on x86-64). */
const PI_MANTISSA = 0xc90fdaa22168c235n;
const PI_EXPONENT = -62;

/** A positive binary floating-point value `mantissa × 2^exponent`. */
export interface Binary {
  readonly mantissa: bigint;
  readonly exponent: number;
}

export function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** Rounds a mantissa to `bits` significant bits, ties to even (one IEEE rounding step). */
export function roundToBits({ mantissa, exponent }: Binary, bits: number): Binary {
  const drop = bitLength(mantissa) - bits;
  if (drop <= 0) return { mantissa, exponent };
  const shift = BigInt(drop);
  const half = 1n << (shift - 1n);
  const low = mantissa & ((1n << shift) - 1n);
  let m = mantissa >> shift;
  if (low > half || (low === half && (m & 1n) === 1n)) m += 1n;
  // A carry out of the top bit (…111 + 1) leaves bits + 1 bits: renormalize (exact, the low bit is 0).
  if (bitLength(m) > bits) return { mantissa: m >> 1n, exponent: exponent + drop + 1 };
  return { mantissa: m, exponent: exponent + drop };
}

/** `p / q` for positive integers, rounded to `bits` significant bits (ties to even). */
function divide(p: bigint, q: bigint, bits: number): Binary {
  // Scale so the integer quotient has bits + 2 significant bits, keep a sticky bit for the remainder.
  const shift = bits + 2 - (bitLength(p) - bitLength(q));
  const num = shift >= 0 ? p << BigInt(shift) : p;
  const den = shift >= 0 ? q : q << BigInt(-shift);
  const quotient = num / den;
  const sticky = num % den === 0n ? 0n : 1n;
  return roundToBits({ mantissa: (quotient << 1n) | sticky, exponent: -shift - 1 }, bits);
}

/** Integer square root (floor) by Newton's method. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sqrt(n) for a positive integer, correctly rounded to `bits` significant bits (as x87 `fsqrt`). */
function sqrtInteger(n: number, bits: number): Binary {
  const big = BigInt(n);
  // Scale by 4^s so the root has bits + 2 bits; sqrt is never exactly halfway, so a sticky bit suffices.
  const s = Math.max(0, Math.ceil((2 * (bits + 2) - bitLength(big)) / 2));
  const scaled = big << BigInt(2 * s);
  const root = isqrt(scaled);
  const sticky = root * root === scaled ? 0n : 1n;
  return roundToBits({ mantissa: (root << 1n) | sticky, exponent: -s - 1 }, bits);
}

export function toNumber({ mantissa, exponent }: Binary): number {
  // Scale in two halves so that neither power of two under- or overflows; exact for normal results.
  const half = Math.trunc(exponent / 2);
  return Number(mantissa) * 2 ** half * 2 ** (exponent - half);
}

/** `double(0.25L * pi / n)`: pocketfft's angle step for the twiddles of length `n`. */
export function quarterPiOver(n: number): number {
  const q = divide(PI_MANTISSA, BigInt(n), 64);
  return toNumber(roundToBits({ mantissa: q.mantissa, exponent: q.exponent + PI_EXPONENT - 2 }, 53));
}

/** `double(1 / sqrtl(n))`: scipy's `norm="ortho"` factor for a product of lengths `n`. */
export function inverseSqrt(n: number): number {
  const root = sqrtInteger(n, 64);
  // 1 / (m × 2^e) = (1 / m) × 2^-e
  const inv = divide(1n, root.mantissa, 64);
  return toNumber(roundToBits({ mantissa: inv.mantissa, exponent: inv.exponent - root.exponent }, 53));
}
