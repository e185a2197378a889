/**
 * Orthonormal DCT-II and its inverse (DCT-III) along the time axis of a row-major `[T, D]` chunk,
 * as `scipy.fft.dct(x, axis=0, norm="ortho")` and `scipy.fft.idct(x, axis=0, norm="ortho")` compute them.
 *
 * Action chunks are short (T of 5 to 100), so a cached T×T cosine basis times the chunk is both exact
 * and faster than an FFT, which would also need non-power-of-two lengths.
 */

const bases = new Map<number, Float64Array>();

/** Row-major `[T, T]` orthonormal DCT-II basis: `C[k, n] = s_k cos(pi k (2n + 1) / 2T)`. */
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
  const basis = dctBasis(horizon);
  out.fill(0);
  for (let k = 0; k < horizon; k++) {
    const row = k * dim;
    for (let n = 0; n < horizon; n++) {
      const c = basis[k * horizon + n];
      const src = n * dim;
      for (let d = 0; d < dim; d++) out[row + d] += c * chunk[src + d];
    }
  }
  return out;
}

/** Orthonormal inverse DCT (DCT-III) over time; the exact inverse of {@link dct}. */
export function idct(
  coefficients: ArrayLike<number>,
  horizon: number,
  dim: number,
  out: Float64Array = new Float64Array(horizon * dim),
): Float64Array {
  const basis = dctBasis(horizon);
  out.fill(0);
  for (let k = 0; k < horizon; k++) {
    const src = k * dim;
    for (let n = 0; n < horizon; n++) {
      const c = basis[k * horizon + n];
      const row = n * dim;
      for (let d = 0; d < dim; d++) out[row + d] += c * coefficients[src + d];
    }
  }
  return out;
}
