/**
 * IEEE 754 binary16 (F16) and bfloat16 (BF16) as raw 16-bit patterns, converted to and from float32.
 * Widening is exact. Narrowing rounds to nearest, ties to even, as PyTorch's `.half()` / `.bfloat16()`
 * do: overflow goes to ±Infinity, values below half the smallest subnormal go to ±0, NaN stays a (quiet) NaN.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(value: number): number {
  f32[0] = value;
  return u32[0];
}

function floatOf(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/** One float32 value (a JS number is first rounded to float32) to its binary16 bit pattern. */
export function toFloat16Bits(value: number): number {
  const bits = bitsOf(value);
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) {
    // Infinity keeps a zero mantissa; any NaN becomes a quiet NaN with the top payload bits kept.
    return abs === 0x7f800000 ? sign | 0x7c00 : sign | 0x7e00 | ((abs >>> 13) & 0x3ff);
  }
  // 65520 = 0x477ff000 is halfway between 65504 (the largest binary16) and 2^16: ties-to-even gives Inf.
  if (abs >= 0x477ff000) return sign | 0x7c00;
  const exponent = abs >>> 23;
  if (exponent < 113) {
    // Below 2^-14: a binary16 subnormal, in units of 2^-24. Below 2^-25 (half a unit) it rounds to 0.
    if (exponent < 102) return sign;
    const mantissa = (abs & 0x7fffff) | 0x800000;
    const shift = 126 - exponent;
    return sign | roundShift(mantissa, shift);
  }
  // Normal: rebias the exponent (127 → 15) and round 23 mantissa bits to 10; a carry into the exponent
  // is the correct encoding of the next binade.
  return sign | roundShift(((exponent - 112) << 23) | (abs & 0x7fffff), 13);
}

/** `value >> shift` rounded to nearest, ties to even. */
function roundShift(value: number, shift: number): number {
  const q = value >>> shift;
  const rest = value - q * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && (q & 1) === 1) ? q + 1 : q;
}

/** A binary16 bit pattern to its (exact) value. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** One float32 value (a JS number is first rounded to float32) to its bfloat16 bit pattern. */
export function toBfloat16Bits(value: number): number {
  const bits = bitsOf(value);
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff; // quiet NaN
  // Keep the top 16 bits, rounding the low 16 to nearest even (a carry may reach Infinity, as it should).
  return Math.floor((bits + 0x7fff + ((bits >>> 16) & 1)) / 0x10000) & 0xffff;
}

/** A bfloat16 bit pattern to its (exact) value: the top half of a float32. */
export function fromBfloat16Bits(b: number): number {
  return floatOf((b & 0xffff) << 16);
}

/** Float values (rounded to float32 first) to binary16 bit patterns. */
export function float32ToFloat16(values: ArrayLike<number>): Uint16Array {
  return Uint16Array.from({ length: values.length }, (_, i) => toFloat16Bits(values[i]));
}

/** binary16 bit patterns to float32 (exact). */
export function float16ToFloat32(bits: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: bits.length }, (_, i) => fromFloat16Bits(bits[i]));
}

/** Float values (rounded to float32 first) to bfloat16 bit patterns. */
export function float32ToBfloat16(values: ArrayLike<number>): Uint16Array {
  return Uint16Array.from({ length: values.length }, (_, i) => toBfloat16Bits(values[i]));
}

/** bfloat16 bit patterns to float32 (exact). */
export function bfloat16ToFloat32(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = (bits[i] & 0xffff) << 16;
  return out;
}
