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
  // C[k, T-1-n] = (-1)^k C[k, n]: even frequencies see x[n] + x[T-1-n], odd ones x[n] - x[T-1-n],
  // which halves the multiplications.
  const half = horizon >> 1;
  const sum = new Float64Array(half * dim);
  const diff = new Float64Array(half * dim);
  for (let n = 0; n < half; n++) {
    const a = n * dim;
    const b = (horizon - 1 - n) * dim;
    for (let d = 0; d < dim; d++) {
      sum[a + d] = chunk[a + d] + chunk[b + d];
      diff[a + d] = chunk[a + d] - chunk[b + d];
    }
  }
  const middle = horizon & 1 ? half * dim : -1;
  for (let k = 0; k < horizon; k++) {
    const src = k & 1 ? diff : sum;
    const b = k * horizon;
    // The middle sample of an odd length meets cos(pi k / 2): zero for odd k.
    const cm = middle >= 0 && (k & 1) === 0 ? basis[b + half] : 0;
    for (let d = 0; d < dim; d++) {
      let acc = middle >= 0 ? cm * chunk[middle + d] : 0;
      for (let n = 0, i = d; n < half; n++, i += dim) acc += basis[b + n] * src[i];
      out[k * dim + d] = acc;
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
  const half = horizon >> 1;
  const even = new Float64Array(dim);
  const odd = new Float64Array(dim);
  // x[n] = E + O and x[T-1-n] = E - O, with E and O the sums over even and odd frequencies.
  for (let n = 0; n < half; n++) {
    even.fill(0);
    odd.fill(0);
    for (let k = 0; k < horizon; k++) {
      const c = basis[k * horizon + n];
      const acc = k & 1 ? odd : even;
      const from = k * dim;
      for (let d = 0; d < dim; d++) acc[d] += c * coefficients[from + d];
    }
    const a = n * dim;
    const b = (horizon - 1 - n) * dim;
    for (let d = 0; d < dim; d++) {
      out[a + d] = even[d] + odd[d];
      out[b + d] = even[d] - odd[d];
    }
  }
  if (horizon & 1) {
    const row = half * dim;
    for (let d = 0; d < dim; d++) out[row + d] = 0;
    for (let k = 0; k < horizon; k += 2) {
      const c = basis[k * horizon + half];
      const from = k * dim;
      for (let d = 0; d < dim; d++) out[row + d] += c * coefficients[from + d];
    }
  }
  return out;
}
