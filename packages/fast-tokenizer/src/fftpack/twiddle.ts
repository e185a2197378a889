import { libmCos, libmSin } from './libm-trig.js';
import { quarterPiOver } from './long-double.js';

/**
 * The roots of unity `exp(2 pi i k / n)` exactly as pocketfft's `sincos_2pibyn` produces them: each
 * octant of the circle evaluated from the nearest axis with `cos`/`sin` of a small angle, stored as two
 * tables (fine and coarse steps) whose complex product gives entry `k`. The bits matter: a twiddle one
 * ulp off moves DCT outputs by an ulp, which decides how a coefficient at k + 0.5 rounds. The sines and
 * cosines are glibc's, bit for bit (`libm-trig.ts`): not correctly rounded, and not V8's `Math.cos`.
 */
export class RootsOfUnity {
  readonly n: number;
  private readonly mask: number;
  private readonly shift: number;
  private readonly fine: Float64Array;
  private readonly coarse: Float64Array;

  constructor(n: number) {
    this.n = n;
    const step = quarterPiOver(n);
    const count = (n + 2) >> 1;
    let shift = 1;
    while ((1 << shift) * (1 << shift) < count) shift++;
    this.shift = shift;
    this.mask = (1 << shift) - 1;
    this.fine = new Float64Array(2 * (this.mask + 1));
    this.fine[0] = 1;
    for (let i = 1; i <= this.mask; i++) octantValue(i, n, step, this.fine, 2 * i);
    const coarseCount = Math.floor((count + this.mask) / (this.mask + 1));
    this.coarse = new Float64Array(2 * coarseCount);
    this.coarse[0] = 1;
    for (let i = 1; i < coarseCount; i++) octantValue(i * (this.mask + 1), n, step, this.coarse, 2 * i);
  }

  /** Real part of root `k` (0 ≤ k < n). */
  re(k: number): number {
    const idx = 2 * k <= this.n ? k : this.n - k;
    const a = 2 * (idx & this.mask);
    const b = 2 * (idx >> this.shift);
    return this.fine[a] * this.coarse[b] - this.fine[a + 1] * this.coarse[b + 1];
  }

  /** Imaginary part of root `k` (0 ≤ k < n); the upper half is the conjugate of the lower. */
  im(k: number): number {
    const upper = 2 * k > this.n;
    const idx = upper ? this.n - k : k;
    const a = 2 * (idx & this.mask);
    const b = 2 * (idx >> this.shift);
    const v = this.fine[a] * this.coarse[b + 1] + this.fine[a + 1] * this.coarse[b];
    return upper ? -v : v;
  }
}

/**
 * Writes `exp(2 pi i x / n)` into `out[at]`, `out[at + 1]`. The angle 2 pi x / n is `8x` steps of
 * `step` = pi / 4n; it is folded into the first octant so `cos`/`sin` only ever see arguments up to pi / 4.
 */
function octantValue(x: number, n: number, step: number, out: Float64Array, at: number): void {
  let e = 8 * x;
  let re: number;
  let im: number;
  if (e < 4 * n) {
    if (e < 2 * n) {
      if (e < n) [re, im] = [libmCos(e * step), libmSin(e * step)];
      else [re, im] = [libmSin((2 * n - e) * step), libmCos((2 * n - e) * step)];
    } else {
      e -= 2 * n;
      if (e < n) [re, im] = [-libmSin(e * step), libmCos(e * step)];
      else [re, im] = [-libmCos((2 * n - e) * step), libmSin((2 * n - e) * step)];
    }
  } else {
    e = 8 * n - e;
    if (e < 2 * n) {
      if (e < n) [re, im] = [libmCos(e * step), -libmSin(e * step)];
      else [re, im] = [libmSin((2 * n - e) * step), -libmCos((2 * n - e) * step)];
    } else {
      e -= 2 * n;
      if (e < n) [re, im] = [-libmSin(e * step), -libmCos(e * step)];
      else [re, im] = [-libmCos((2 * n - e) * step), -libmSin((2 * n - e) * step)];
    }
  }
  out[at] = re;
  out[at + 1] = im;
}
