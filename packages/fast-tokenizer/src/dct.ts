/**
 * Orthonormal DCT-II and its inverse (DCT-III) along the time axis of a row-major `[T, D]` chunk,
 * computed as `scipy.fft.dct(x, axis=0, norm="ortho")` and `scipy.fft.idct(x, axis=0, norm="ortho")`
 * compute them: pocketfft's FFT-based algorithm with the same operations in the same order (see
 * `fftpack/`), so the float64 results are bit-identical to scipy's on Linux x86-64 for the lengths listed in
 * the README. That matters where a scaled coefficient sits at k + 0.5: which way it rounds depends on the
 * last bit, and a plain cosine-matrix product disagrees with scipy there.
 */
import { Dct23 } from './fftpack/dct23.js';

const bases = new Map<number, Float64Array>();
/**
 * Row-major `[T, T]` orthonormal DCT-II basis: `C[k, n] = s_k cos(pi k (2n + 1) / 2T)`. The transforms
 * below do not use it (they follow scipy's FFT algorithm); it is the definition, for analysis and tests.
 */
export function dctBasis(length: number): Float64Array {
  let basis = bases.get(length);
  if (basis) return basis;
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`DCT length must be a positive integer, got ${length}`);
  }
  basis = new Float64Array(length * length);
  const period = 4 * length;
  for (let k = 0; k < length; k++) {
    const s = k === 0 ? Math.sqrt(1 / length) : Math.sqrt(2 / length);
    for (let n = 0; n < length; n++) {
      // Reduce k(2n+1) modulo the period before scaling, so the cosine argument stays small and exact.
      const m = (k * (2 * n + 1)) % period;
      basis[k * length + n] = s * Math.cos((Math.PI * m) / (2 * length));
    }
  }
  if (bases.size > 64) bases.clear();
  bases.set(length, basis);
  return basis;
}

const plans = new Map<number, Dct23>();
let scratch = new Float64Array(0);

function planFor(length: number): Dct23 {
  let plan = plans.get(length);
  if (plan) return plan;
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`DCT length must be a positive integer, got ${length}`);
  }
  plan = new Dct23(length);
  if (plans.size > 64) plans.clear();
  plans.set(length, plan);
  return plan;
}

function transform(
  input: ArrayLike<number>,
  horizon: number,
  dim: number,
  out: Float64Array,
  inverse: boolean,
): Float64Array {
  const plan = planFor(horizon);
  const size = horizon * dim;
  for (let i = 0; i < size; i++) out[i] = input[i];
  if (scratch.length < size) scratch = new Float64Array(size);
  if (inverse) plan.inverse(out, dim, scratch);
  else plan.forward(out, dim, scratch);
  return out;
}

/**
 * Orthonormal DCT-II over time of a row-major `[horizon, dim]` chunk. Returns row-major `[horizon, dim]`
 * coefficients: all `dim` values of frequency 0 first, then frequency 1, and so on.
 */
export function dct(
  chunk: ArrayLike<number>,
  horizon: number,
  dim: number,
  out: Float64Array = new Float64Array(horizon * dim),
): Float64Array {
  return transform(chunk, horizon, dim, out, false);
}

/** Orthonormal inverse DCT (DCT-III) over time; the inverse of {@link dct}, as `scipy.fft.idct` computes it. */
export function idct(
  coefficients: ArrayLike<number>,
  horizon: number,
  dim: number,
  out: Float64Array = new Float64Array(horizon * dim),
): Float64Array {
  return transform(coefficients, horizon, dim, out, true);
}
