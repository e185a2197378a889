import { SQRT2 } from './constants.js';
import { inverseSqrt } from './long-double.js';
import { RealFft } from './real-fft.js';
import { RootsOfUnity } from './twiddle.js';

/**
 * Orthonormal DCT-II and DCT-III of one length computed as `scipy.fft.dct/idct(norm="ortho")` computes
 * them (pocketfft's `T_dcst23`): the DCT-II folds the input into a half-complex spectrum, runs a backward
 * real FFT and untwists with `cos(pi k / 2N)`; the DCT-III runs the same steps in reverse with a forward FFT.
 * Same operations in the same order, so the float64 results are bit-identical to scipy's, which is what
 * decides the rounding of a FAST coefficient at k + 0.5.
 */
export class Dct23 {
  readonly length: number;
  private readonly fft: RealFft;
  /** `cos(pi (i + 1) / 2N)` as pocketfft tabulates it (real parts of the 4N-th roots of unity). */
  private readonly twiddle: Float64Array;
  /** scipy's ortho factor `1 / sqrt(2N)`, rounded from long double. */
  private readonly fct: number;

  constructor(length: number) {
    this.length = length;
    this.fft = new RealFft(length);
    const roots = new RootsOfUnity(4 * length);
    this.twiddle = Float64Array.from({ length }, (_, i) => roots.re(i + 1));
    this.fct = inverseSqrt(2 * length);
  }

  /** In-place orthonormal DCT-II along the first axis of a row-major `[length, lanes]` buffer. */
  forward(c: Float64Array, lanes: number, scratch: Float64Array): void {
    const n = this.length;
    const tw = this.twiddle;
    const ns2 = (n + 1) >> 1;
    for (let d = 0; d < lanes; d++) c[d] *= 2;
    if ((n & 1) === 0) for (let d = 0, e = (n - 1) * lanes; d < lanes; d++) c[e + d] *= 2;
    for (let k = 1; k < n - 1; k += 2) {
      const a = (k + 1) * lanes;
      const b = k * lanes;
      for (let d = 0; d < lanes; d++) {
        const t = c[a + d];
        c[a + d] = t - c[b + d];
        c[b + d] = t + c[b + d];
      }
    }
    this.fft.exec(c, this.fct, false, lanes, scratch);
    for (let k = 1, kc = n - 1; k < ns2; k++, kc--) {
      const a = k * lanes;
      const b = kc * lanes;
      const wk = tw[k - 1];
      const wc = tw[kc - 1];
      for (let d = 0; d < lanes; d++) {
        const t1 = wk * c[b + d] + wc * c[a + d];
        const t2 = wk * c[a + d] - wc * c[b + d];
        c[a + d] = 0.5 * (t1 + t2);
        c[b + d] = 0.5 * (t1 - t2);
      }
    }
    if ((n & 1) === 0) for (let d = 0, e = ns2 * lanes; d < lanes; d++) c[e + d] *= tw[ns2 - 1];
    const first = SQRT2 * 0.5;
    for (let d = 0; d < lanes; d++) c[d] *= first;
  }

  /** In-place orthonormal DCT-III (the inverse of {@link forward}) along the first axis. */
  inverse(c: Float64Array, lanes: number, scratch: Float64Array): void {
    const n = this.length;
    const tw = this.twiddle;
    const ns2 = (n + 1) >> 1;
    for (let d = 0; d < lanes; d++) c[d] *= SQRT2;
    for (let k = 1, kc = n - 1; k < ns2; k++, kc--) {
      const a = k * lanes;
      const b = kc * lanes;
      const wk = tw[k - 1];
      const wc = tw[kc - 1];
      for (let d = 0; d < lanes; d++) {
        const t1 = c[a + d] + c[b + d];
        const t2 = c[a + d] - c[b + d];
        c[a + d] = wk * t2 + wc * t1;
        c[b + d] = wk * t1 - wc * t2;
      }
    }
    if ((n & 1) === 0) {
      const w = 2 * tw[ns2 - 1];
      for (let d = 0, e = ns2 * lanes; d < lanes; d++) c[e + d] *= w;
    }
    this.fft.exec(c, this.fct, true, lanes, scratch);
    for (let k = 1; k < n - 1; k += 2) {
      const a = k * lanes;
      const b = (k + 1) * lanes;
      for (let d = 0; d < lanes; d++) {
        const t = c[a + d];
        c[a + d] = t - c[b + d];
        c[b + d] = t + c[b + d];
      }
    }
  }
}
