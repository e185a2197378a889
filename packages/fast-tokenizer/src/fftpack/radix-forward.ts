/**
 * Forward (real → half-complex) FFTPACK radix passes, in pocketfft's floating-point operation order.
 *
 * Every pass works on `lanes` independent transforms at once: logical element `e` of the transform lives
 * at `e * lanes + lane`, so a row-major `[n, lanes]` chunk is transformed along its first axis in place,
 * with the lane loop innermost (contiguous). Each lane sees exactly the scalar sequence of operations, so
 * the result is bit-identical to transforming the columns one by one.
 *
 * Layouts follow FFTPACK: in a pass with `ido` inner points, `l1` outer blocks and radix `ip`, the input is
 * `cc[a + ido * (b + l1 * c)]` (point, block, radix digit) and the output `ch[a + ido * (b + ip * c)]`.
 * `wa` holds the pass's twiddles: digit `x`, point `i` at `wa[i + x * (ido - 1)]`.
 */
import { HALF_SQRT2, TAUI, TAUR, TI11, TI12, TR11, TR12 } from './constants.js';

export type Buffer = Float64Array;

export function radf2(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + 2 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x0 = C(0, k, 0);
    const x1 = C(0, k, 1);
    const y0 = H(0, 0, k);
    const y1 = H(ido - 1, 1, k);
    for (let d = 0; d < lanes; d++) {
      ch[y0 + d] = cc[x0 + d] + cc[x1 + d];
      ch[y1 + d] = cc[x0 + d] - cc[x1 + d];
    }
  }
  if ((ido & 1) === 0) {
    for (let k = 0; k < l1; k++) {
      const x0 = C(ido - 1, k, 0);
      const x1 = C(ido - 1, k, 1);
      const y0 = H(0, 1, k);
      const y1 = H(ido - 1, 0, k);
      for (let d = 0; d < lanes; d++) {
        ch[y0 + d] = -cc[x1 + d];
        ch[y1 + d] = cc[x0 + d];
      }
    }
  }
  if (ido <= 2) return;
  for (let k = 0; k < l1; k++) {
    for (let i = 2; i < ido; i += 2) {
      const ic = ido - i;
      const wr = wa[i - 2];
      const wi = wa[i - 1];
      const ar = C(i - 1, k, 0);
      const ai = C(i, k, 0);
      const br = C(i - 1, k, 1);
      const bi = C(i, k, 1);
      const o1 = H(i - 1, 0, k);
      const o2 = H(ic - 1, 1, k);
      const o3 = H(i, 0, k);
      const o4 = H(ic, 1, k);
      for (let d = 0; d < lanes; d++) {
        // (tr2 + i ti2) = conj(w) * b
        const tr2 = wr * cc[br + d] + wi * cc[bi + d];
        const ti2 = wr * cc[bi + d] - wi * cc[br + d];
        ch[o1 + d] = cc[ar + d] + tr2;
        ch[o2 + d] = cc[ar + d] - tr2;
        ch[o3 + d] = ti2 + cc[ai + d];
        ch[o4 + d] = ti2 - cc[ai + d];
      }
    }
  }
}

export function radf3(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + 3 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x0 = C(0, k, 0);
    const x1 = C(0, k, 1);
    const x2 = C(0, k, 2);
    const y0 = H(0, 0, k);
    const y2 = H(0, 2, k);
    const y1 = H(ido - 1, 1, k);
    for (let d = 0; d < lanes; d++) {
      const cr2 = cc[x1 + d] + cc[x2 + d];
      ch[y0 + d] = cc[x0 + d] + cr2;
      ch[y2 + d] = TAUI * (cc[x2 + d] - cc[x1 + d]);
      ch[y1 + d] = cc[x0 + d] + TAUR * cr2;
    }
  }
  if (ido === 1) return;
  const w1 = ido - 1;
  for (let k = 0; k < l1; k++) {
    for (let i = 2; i < ido; i += 2) {
      const ic = ido - i;
      const w0r = wa[i - 2];
      const w0i = wa[i - 1];
      const w1r = wa[i - 2 + w1];
      const w1i = wa[i - 1 + w1];
      const ar = C(i - 1, k, 0);
      const ai = C(i, k, 0);
      const br = C(i - 1, k, 1);
      const bi = C(i, k, 1);
      const cr = C(i - 1, k, 2);
      const ci = C(i, k, 2);
      const o0r = H(i - 1, 0, k);
      const o0i = H(i, 0, k);
      const o2r = H(i - 1, 2, k);
      const o1r = H(ic - 1, 1, k);
      const o2i = H(i, 2, k);
      const o1i = H(ic, 1, k);
      for (let d = 0; d < lanes; d++) {
        const mr2 = w0r * cc[br + d] + w0i * cc[bi + d];
        const mi2 = w0r * cc[bi + d] - w0i * cc[br + d];
        const mr3 = w1r * cc[cr + d] + w1i * cc[ci + d];
        const mi3 = w1r * cc[ci + d] - w1i * cc[cr + d];
        // a2 = a + b, b2 = i (b - a) on the pair (d2, d3)
        const dr2 = mr2 + mr3;
        const di2 = mi2 + mi3;
        const dr3 = mi2 - mi3;
        const di3 = mr3 - mr2;
        ch[o0r + d] = cc[ar + d] + dr2;
        ch[o0i + d] = cc[ai + d] + di2;
        const tr2 = cc[ar + d] + TAUR * dr2;
        const ti2 = cc[ai + d] + TAUR * di2;
        const tr3 = TAUI * dr3;
        const ti3 = TAUI * di3;
        ch[o2r + d] = tr2 + tr3;
        ch[o1r + d] = tr2 - tr3;
        ch[o2i + d] = ti3 + ti2;
        ch[o1i + d] = ti3 - ti2;
      }
    }
  }
}

export function radf4(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + 4 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x0 = C(0, k, 0);
    const x1 = C(0, k, 1);
    const x2 = C(0, k, 2);
    const x3 = C(0, k, 3);
    const y02 = H(0, 2, k);
    const y11 = H(ido - 1, 1, k);
    const y00 = H(0, 0, k);
    const y13 = H(ido - 1, 3, k);
    for (let d = 0; d < lanes; d++) {
      const tr1 = cc[x3 + d] + cc[x1 + d];
      ch[y02 + d] = cc[x3 + d] - cc[x1 + d];
      const tr2 = cc[x0 + d] + cc[x2 + d];
      ch[y11 + d] = cc[x0 + d] - cc[x2 + d];
      ch[y00 + d] = tr2 + tr1;
      ch[y13 + d] = tr2 - tr1;
    }
  }
  if ((ido & 1) === 0) {
    for (let k = 0; k < l1; k++) {
      const x0 = C(ido - 1, k, 0);
      const x1 = C(ido - 1, k, 1);
      const x2 = C(ido - 1, k, 2);
      const x3 = C(ido - 1, k, 3);
      const y10 = H(ido - 1, 0, k);
      const y12 = H(ido - 1, 2, k);
      const y03 = H(0, 3, k);
      const y01 = H(0, 1, k);
      for (let d = 0; d < lanes; d++) {
        const ti1 = -HALF_SQRT2 * (cc[x1 + d] + cc[x3 + d]);
        const tr1 = HALF_SQRT2 * (cc[x1 + d] - cc[x3 + d]);
        ch[y10 + d] = cc[x0 + d] + tr1;
        ch[y12 + d] = cc[x0 + d] - tr1;
        ch[y03 + d] = ti1 + cc[x2 + d];
        ch[y01 + d] = ti1 - cc[x2 + d];
      }
    }
  }
  if (ido <= 2) return;
  const w = ido - 1;
  for (let k = 0; k < l1; k++) {
    for (let i = 2; i < ido; i += 2) {
      const ic = ido - i;
      const w0r = wa[i - 2];
      const w0i = wa[i - 1];
      const w1r = wa[i - 2 + w];
      const w1i = wa[i - 1 + w];
      const w2r = wa[i - 2 + 2 * w];
      const w2i = wa[i - 1 + 2 * w];
      const a0r = C(i - 1, k, 0);
      const a0i = C(i, k, 0);
      const a1r = C(i - 1, k, 1);
      const a1i = C(i, k, 1);
      const a2r = C(i - 1, k, 2);
      const a2i = C(i, k, 2);
      const a3r = C(i - 1, k, 3);
      const a3i = C(i, k, 3);
      const o0r = H(i - 1, 0, k);
      const o3r = H(ic - 1, 3, k);
      const o0i = H(i, 0, k);
      const o3i = H(ic, 3, k);
      const o2r = H(i - 1, 2, k);
      const o1r = H(ic - 1, 1, k);
      const o2i = H(i, 2, k);
      const o1i = H(ic, 1, k);
      for (let d = 0; d < lanes; d++) {
        const cr2 = w0r * cc[a1r + d] + w0i * cc[a1i + d];
        const ci2 = w0r * cc[a1i + d] - w0i * cc[a1r + d];
        const cr3 = w1r * cc[a2r + d] + w1i * cc[a2i + d];
        const ci3 = w1r * cc[a2i + d] - w1i * cc[a2r + d];
        const cr4 = w2r * cc[a3r + d] + w2i * cc[a3i + d];
        const ci4 = w2r * cc[a3i + d] - w2i * cc[a3r + d];
        const tr1 = cr4 + cr2;
        const tr4 = cr4 - cr2;
        const ti1 = ci2 + ci4;
        const ti4 = ci2 - ci4;
        const tr2 = cc[a0r + d] + cr3;
        const tr3 = cc[a0r + d] - cr3;
        const ti2 = cc[a0i + d] + ci3;
        const ti3 = cc[a0i + d] - ci3;
        ch[o0r + d] = tr2 + tr1;
        ch[o3r + d] = tr2 - tr1;
        ch[o0i + d] = ti1 + ti2;
        ch[o3i + d] = ti1 - ti2;
        ch[o2r + d] = tr3 + ti4;
        ch[o1r + d] = tr3 - ti4;
        ch[o2i + d] = tr4 + ti3;
        ch[o1i + d] = tr4 - ti3;
      }
    }
  }
}

export function radf5(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + 5 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x0 = C(0, k, 0);
    const x1 = C(0, k, 1);
    const x2 = C(0, k, 2);
    const x3 = C(0, k, 3);
    const x4 = C(0, k, 4);
    const y00 = H(0, 0, k);
    const y11 = H(ido - 1, 1, k);
    const y02 = H(0, 2, k);
    const y13 = H(ido - 1, 3, k);
    const y04 = H(0, 4, k);
    for (let d = 0; d < lanes; d++) {
      const cr2 = cc[x4 + d] + cc[x1 + d];
      const ci5 = cc[x4 + d] - cc[x1 + d];
      const cr3 = cc[x3 + d] + cc[x2 + d];
      const ci4 = cc[x3 + d] - cc[x2 + d];
      const c0 = cc[x0 + d];
      ch[y00 + d] = c0 + cr2 + cr3;
      ch[y11 + d] = c0 + TR11 * cr2 + TR12 * cr3;
      ch[y02 + d] = TI11 * ci5 + TI12 * ci4;
      ch[y13 + d] = c0 + TR12 * cr2 + TR11 * cr3;
      ch[y04 + d] = TI12 * ci5 - TI11 * ci4;
    }
  }
  if (ido === 1) return;
  const w = ido - 1;
  for (let k = 0; k < l1; k++) {
    for (let i = 2, ic = ido - 2; i < ido; i += 2, ic -= 2) {
      const w0r = wa[i - 2];
      const w0i = wa[i - 1];
      const w1r = wa[i - 2 + w];
      const w1i = wa[i - 1 + w];
      const w2r = wa[i - 2 + 2 * w];
      const w2i = wa[i - 1 + 2 * w];
      const w3r = wa[i - 2 + 3 * w];
      const w3i = wa[i - 1 + 3 * w];
      const a0r = C(i - 1, k, 0);
      const a0i = C(i, k, 0);
      const a1r = C(i - 1, k, 1);
      const a1i = C(i, k, 1);
      const a2r = C(i - 1, k, 2);
      const a2i = C(i, k, 2);
      const a3r = C(i - 1, k, 3);
      const a3i = C(i, k, 3);
      const a4r = C(i - 1, k, 4);
      const a4i = C(i, k, 4);
      const o0r = H(i - 1, 0, k);
      const o0i = H(i, 0, k);
      const o2r = H(i - 1, 2, k);
      const o1r = H(ic - 1, 1, k);
      const o2i = H(i, 2, k);
      const o1i = H(ic, 1, k);
      const o4r = H(i - 1, 4, k);
      const o3r = H(ic - 1, 3, k);
      const o4i = H(i, 4, k);
      const o3i = H(ic, 3, k);
      for (let d = 0; d < lanes; d++) {
        const mr2 = w0r * cc[a1r + d] + w0i * cc[a1i + d];
        const mi2 = w0r * cc[a1i + d] - w0i * cc[a1r + d];
        const mr3 = w1r * cc[a2r + d] + w1i * cc[a2i + d];
        const mi3 = w1r * cc[a2i + d] - w1i * cc[a2r + d];
        const mr4 = w2r * cc[a3r + d] + w2i * cc[a3i + d];
        const mi4 = w2r * cc[a3i + d] - w2i * cc[a3r + d];
        const mr5 = w3r * cc[a4r + d] + w3i * cc[a4i + d];
        const mi5 = w3r * cc[a4i + d] - w3i * cc[a4r + d];
        // a2 = a + b, b2 = i (b - a) on the pairs (d2, d5) and (d3, d4)
        const dr2 = mr2 + mr5;
        const di2 = mi2 + mi5;
        const dr5 = mi2 - mi5;
        const di5 = mr5 - mr2;
        const dr3 = mr3 + mr4;
        const di3 = mi3 + mi4;
        const dr4 = mi3 - mi4;
        const di4 = mr4 - mr3;
        const c0r = cc[a0r + d];
        const c0i = cc[a0i + d];
        ch[o0r + d] = c0r + dr2 + dr3;
        ch[o0i + d] = c0i + di2 + di3;
        const tr2 = c0r + TR11 * dr2 + TR12 * dr3;
        const ti2 = c0i + TR11 * di2 + TR12 * di3;
        const tr3 = c0r + TR12 * dr2 + TR11 * dr3;
        const ti3 = c0i + TR12 * di2 + TR11 * di3;
        const tr5 = TI11 * dr5 + TI12 * dr4;
        const ti5 = TI11 * di5 + TI12 * di4;
        const tr4 = TI12 * dr5 - TI11 * dr4;
        const ti4 = TI12 * di5 - TI11 * di4;
        ch[o2r + d] = tr2 + tr5;
        ch[o1r + d] = tr2 - tr5;
        ch[o2i + d] = ti5 + ti2;
        ch[o1i + d] = ti5 - ti2;
        ch[o4r + d] = tr3 + tr4;
        ch[o3r + d] = tr3 - tr4;
        ch[o4i + d] = ti4 + ti3;
        ch[o3i + d] = ti4 - ti3;
      }
    }
  }
}

/**
 * Generic odd radix `ip` (7, 11, 13, …). Works in place on `cc` with `ch` as scratch and leaves the
 * result in `cc` (FFTPACK's `radfg`). `csarr` holds the `ip`-th roots of unity, interleaved (re, im).
 */
export function radfg(
  ido: number,
  ip: number,
  l1: number,
  cc: Buffer,
  ch: Buffer,
  wa: Buffer,
  csarr: Buffer,
  lanes: number,
): void {
  const ipph = (ip + 1) >> 1;
  const idl1 = ido * l1;
  const CC = (a: number, b: number, c: number) => (a + ido * (b + ip * c)) * lanes;
  const CH = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  const C1 = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  const C2 = (a: number, b: number) => (a + idl1 * b) * lanes;

  if (ido > 1) {
    for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
      const is = (j - 1) * (ido - 1);
      const is2 = (jc - 1) * (ido - 1);
      for (let k = 0; k < l1; k++) {
        let idij = is;
        let idij2 = is2;
        for (let i = 1; i <= ido - 2; i += 2) {
          const p1 = C1(i, k, j);
          const p2 = C1(i + 1, k, j);
          const p3 = C1(i, k, jc);
          const p4 = C1(i + 1, k, jc);
          const wr = wa[idij];
          const wi = wa[idij + 1];
          const vr = wa[idij2];
          const vi = wa[idij2 + 1];
          for (let d = 0; d < lanes; d++) {
            const t1 = cc[p1 + d];
            const t2 = cc[p2 + d];
            const t3 = cc[p3 + d];
            const t4 = cc[p4 + d];
            const x1 = wr * t1 + wi * t2;
            const x2 = wr * t2 - wi * t1;
            const x3 = vr * t3 + vi * t4;
            const x4 = vr * t4 - vi * t3;
            cc[p1 + d] = x3 + x1;
            cc[p4 + d] = x3 - x1;
            cc[p2 + d] = x2 + x4;
            cc[p3 + d] = x2 - x4;
          }
          idij += 2;
          idij2 += 2;
        }
      }
    }
  }

  for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
    for (let k = 0; k < l1; k++) {
      const a = C1(0, k, jc);
      const b = C1(0, k, j);
      for (let d = 0; d < lanes; d++) {
        const t = cc[a + d];
        cc[a + d] = t - cc[b + d];
        cc[b + d] = t + cc[b + d];
      }
    }
  }

  for (let l = 1, lc = ip - 1; l < ipph; l++, lc--) {
    for (let ik = 0; ik < idl1; ik++) {
      const hl = C2(ik, l);
      const hlc = C2(ik, lc);
      const c0 = C2(ik, 0);
      const c1 = C2(ik, 1);
      const c2 = C2(ik, 2);
      const cl = C2(ik, ip - 1);
      const cl2 = C2(ik, ip - 2);
      for (let d = 0; d < lanes; d++) {
        ch[hl + d] = cc[c0 + d] + csarr[2 * l] * cc[c1 + d] + csarr[4 * l] * cc[c2 + d];
        ch[hlc + d] = csarr[2 * l + 1] * cc[cl + d] + csarr[4 * l + 1] * cc[cl2 + d];
      }
    }
    let iang = 2 * l;
    let j = 3;
    let jc = ip - 3;
    for (; j < ipph - 3; j += 4, jc -= 4) {
      const ar: number[] = [];
      const ai: number[] = [];
      for (let q = 0; q < 4; q++) {
        iang += l;
        if (iang >= ip) iang -= ip;
        ar.push(csarr[2 * iang]);
        ai.push(csarr[2 * iang + 1]);
      }
      for (let ik = 0; ik < idl1; ik++) {
        const hl = C2(ik, l);
        const hlc = C2(ik, lc);
        const j0 = C2(ik, j);
        const j1 = C2(ik, j + 1);
        const j2 = C2(ik, j + 2);
        const j3 = C2(ik, j + 3);
        const k0 = C2(ik, jc);
        const k1 = C2(ik, jc - 1);
        const k2 = C2(ik, jc - 2);
        const k3 = C2(ik, jc - 3);
        for (let d = 0; d < lanes; d++) {
          ch[hl + d] += ar[0] * cc[j0 + d] + ar[1] * cc[j1 + d] + ar[2] * cc[j2 + d] + ar[3] * cc[j3 + d];
          ch[hlc + d] += ai[0] * cc[k0 + d] + ai[1] * cc[k1 + d] + ai[2] * cc[k2 + d] + ai[3] * cc[k3 + d];
        }
      }
    }
    for (; j < ipph - 1; j += 2, jc -= 2) {
      iang += l;
      if (iang >= ip) iang -= ip;
      const ar1 = csarr[2 * iang];
      const ai1 = csarr[2 * iang + 1];
      iang += l;
      if (iang >= ip) iang -= ip;
      const ar2 = csarr[2 * iang];
      const ai2 = csarr[2 * iang + 1];
      for (let ik = 0; ik < idl1; ik++) {
        const hl = C2(ik, l);
        const hlc = C2(ik, lc);
        const j0 = C2(ik, j);
        const j1 = C2(ik, j + 1);
        const k0 = C2(ik, jc);
        const k1 = C2(ik, jc - 1);
        for (let d = 0; d < lanes; d++) {
          ch[hl + d] += ar1 * cc[j0 + d] + ar2 * cc[j1 + d];
          ch[hlc + d] += ai1 * cc[k0 + d] + ai2 * cc[k1 + d];
        }
      }
    }
    for (; j < ipph; j++, jc--) {
      iang += l;
      if (iang >= ip) iang -= ip;
      const ar = csarr[2 * iang];
      const ai = csarr[2 * iang + 1];
      for (let ik = 0; ik < idl1; ik++) {
        const hl = C2(ik, l);
        const hlc = C2(ik, lc);
        const j0 = C2(ik, j);
        const k0 = C2(ik, jc);
        for (let d = 0; d < lanes; d++) {
          ch[hl + d] += ar * cc[j0 + d];
          ch[hlc + d] += ai * cc[k0 + d];
        }
      }
    }
  }
  for (let ik = 0; ik < idl1; ik++) {
    const h = C2(ik, 0);
    for (let d = 0; d < lanes; d++) ch[h + d] = cc[h + d];
  }
  for (let j = 1; j < ipph; j++) {
    for (let ik = 0; ik < idl1; ik++) {
      const h = C2(ik, 0);
      const c = C2(ik, j);
      for (let d = 0; d < lanes; d++) ch[h + d] += cc[c + d];
    }
  }

  for (let k = 0; k < l1; k++) {
    for (let i = 0; i < ido; i++) {
      const o = CC(i, 0, k);
      const s = CH(i, k, 0);
      for (let d = 0; d < lanes; d++) cc[o + d] = ch[s + d];
    }
  }
  for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
    const j2 = 2 * j - 1;
    for (let k = 0; k < l1; k++) {
      const o1 = CC(ido - 1, j2, k);
      const o2 = CC(0, j2 + 1, k);
      const s1 = CH(0, k, j);
      const s2 = CH(0, k, jc);
      for (let d = 0; d < lanes; d++) {
        cc[o1 + d] = ch[s1 + d];
        cc[o2 + d] = ch[s2 + d];
      }
    }
  }
  if (ido === 1) return;
  for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
    const j2 = 2 * j - 1;
    for (let k = 0; k < l1; k++) {
      for (let i = 1, ic = ido - i - 2; i <= ido - 2; i += 2, ic -= 2) {
        const aj = CH(i, k, j);
        const ajc = CH(i, k, jc);
        const bj = CH(i + 1, k, j);
        const bjc = CH(i + 1, k, jc);
        const o1 = CC(i, j2 + 1, k);
        const o2 = CC(ic, j2, k);
        const o3 = CC(i + 1, j2 + 1, k);
        const o4 = CC(ic + 1, j2, k);
        for (let d = 0; d < lanes; d++) {
          cc[o1 + d] = ch[aj + d] + ch[ajc + d];
          cc[o2 + d] = ch[aj + d] - ch[ajc + d];
          cc[o3 + d] = ch[bj + d] + ch[bjc + d];
          cc[o4 + d] = ch[bjc + d] - ch[bj + d];
        }
      }
    }
  }
}
