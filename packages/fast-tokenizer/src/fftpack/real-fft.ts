import { radb2, radb3, radb4, radb5, radbg } from './radix-backward.js';
import { type Buffer, radf2, radf3, radf4, radf5, radfg } from './radix-forward.js';
import { RootsOfUnity } from './twiddle.js';

interface Factor {
  readonly ip: number;
  /** Twiddles of this pass (empty for the last factor, which runs with one inner point). */
  readonly tw: Float64Array;
  /** The `ip`-th roots of unity for the generic radix, interleaved; null for radices 2–5. */
  readonly tws: Float64Array | null;
}

/**
 * A real FFT of one length in FFTPACK's half-complex format, planned as pocketfft's `rfftp` plans it:
 * the same factorization (4s first, a 2 moved to the front, then odd primes ascending), the same
 * twiddles, the same passes. Transforms `lanes` interleaved columns at once (see `radix-forward.ts`).
 *
 * pocketfft switches to Bluestein's algorithm instead for lengths of at least 191 with a large prime
 * factor (191, 199, 211, …); this class always uses the FFTPACK passes, which are equally accurate but
 * round differently there.
 */
export class RealFft {
  readonly length: number;
  private readonly factors: Factor[];

  constructor(length: number) {
    this.length = length;
    this.factors = length === 1 ? [] : planFactors(length);
  }

  /**
   * Transforms `c` (row-major `[length, lanes]`) in place, then multiplies by `fct` as pocketfft's
   * `copy_and_norm` does. `forward`: real → half-complex (`r2hc`); otherwise half-complex → real.
   * `scratch` must hold `length * lanes` values.
   */
  exec(c: Buffer, fct: number, forward: boolean, lanes: number, scratch: Buffer): void {
    const n = this.length;
    if (n === 1) {
      for (let d = 0; d < lanes; d++) c[d] *= fct;
      return;
    }
    const nf = this.factors.length;
    let p1 = c;
    let p2 = scratch;
    if (forward) {
      for (let k1 = 0, l1 = n; k1 < nf; k1++) {
        const { ip, tw, tws } = this.factors[nf - k1 - 1];
        const ido = n / l1;
        l1 /= ip;
        if (ip === 4) radf4(ido, l1, p1, p2, tw, lanes);
        else if (ip === 2) radf2(ido, l1, p1, p2, tw, lanes);
        else if (ip === 3) radf3(ido, l1, p1, p2, tw, lanes);
        else if (ip === 5) radf5(ido, l1, p1, p2, tw, lanes);
        else {
          // The generic pass leaves its result in its input buffer.
          radfg(ido, ip, l1, p1, p2, tw, tws as Float64Array, lanes);
          continue;
        }
        [p1, p2] = [p2, p1];
      }
    } else {
      for (let k = 0, l1 = 1; k < nf; k++) {
        const { ip, tw, tws } = this.factors[k];
        const ido = n / (ip * l1);
        if (ip === 4) radb4(ido, l1, p1, p2, tw, lanes);
        else if (ip === 2) radb2(ido, l1, p1, p2, tw, lanes);
        else if (ip === 3) radb3(ido, l1, p1, p2, tw, lanes);
        else if (ip === 5) radb5(ido, l1, p1, p2, tw, lanes);
        else radbg(ido, ip, l1, p1, p2, tw, tws as Float64Array, lanes);
        [p1, p2] = [p2, p1];
        l1 *= ip;
      }
    }
    const size = n * lanes;
    if (p1 !== c) {
      if (fct !== 1) for (let i = 0; i < size; i++) c[i] = fct * p1[i];
      else c.set(p1.subarray(0, size));
    } else if (fct !== 1) {
      for (let i = 0; i < size; i++) c[i] *= fct;
    }
  }
}

/** pocketfft's factor order: all 4s, one 2 swapped to the front, then odd factors ascending. */
export function factorize(length: number): number[] {
  const factors: number[] = [];
  let len = length;
  while (len % 4 === 0) {
    factors.push(4);
    len /= 4;
  }
  if (len % 2 === 0) {
    len /= 2;
    factors.push(2);
    [factors[0], factors[factors.length - 1]] = [factors[factors.length - 1], factors[0]];
  }
  for (let divisor = 3; divisor * divisor <= len; divisor += 2) {
    while (len % divisor === 0) {
      factors.push(divisor);
      len /= divisor;
    }
  }
  if (len > 1) factors.push(len);
  return factors;
}

function planFactors(length: number): Factor[] {
  const roots = new RootsOfUnity(length);
  const ips = factorize(length);
  const factors: Factor[] = [];
  let l1 = 1;
  for (let k = 0; k < ips.length; k++) {
    const ip = ips[k];
    const ido = length / (l1 * ip);
    let tw = new Float64Array(0);
    if (k < ips.length - 1) {
      tw = new Float64Array((ip - 1) * (ido - 1));
      for (let j = 1; j < ip; j++) {
        for (let i = 1; i <= (ido - 1) >> 1; i++) {
          tw[(j - 1) * (ido - 1) + 2 * i - 2] = roots.re(j * l1 * i);
          tw[(j - 1) * (ido - 1) + 2 * i - 1] = roots.im(j * l1 * i);
        }
      }
    }
    let tws: Float64Array | null = null;
    if (ip > 5) {
      tws = new Float64Array(2 * ip);
      tws[0] = 1;
      tws[1] = 0;
      const stride = length / ip;
      for (let i = 2, ic = 2 * ip - 2; i <= ic; i += 2, ic -= 2) {
        const idx = (i >> 1) * stride;
        tws[i] = roots.re(idx);
        tws[i + 1] = roots.im(idx);
        tws[ic] = roots.re(idx);
        tws[ic + 1] = -roots.im(idx);
      }
    }
    factors.push({ ip, tw, tws });
    l1 *= ip;
  }
  return factors;
}
