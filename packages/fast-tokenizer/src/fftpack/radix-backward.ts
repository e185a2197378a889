/**
 * Backward (half-complex → real) FFTPACK radix passes, in pocketfft's floating-point operation order.
 * Same lane and layout conventions as `radix-forward.ts`, with input and output layouts swapped: the
 * input is `cc[a + ido * (b + ip * c)]`, the output `ch[a + ido * (b + l1 * c)]`.
 */
import { SQRT2, TAUI, TAUR, TI11, TI12, TR11, TR12 } from './constants.js';
import type { Buffer } from './radix-forward.js';

export function radb2(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + 2 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x0 = C(0, 0, k);
    const x1 = C(ido - 1, 1, k);
    const y0 = H(0, k, 0);
    const y1 = H(0, k, 1);
    for (let d = 0; d < lanes; d++) {
      ch[y0 + d] = cc[x0 + d] + cc[x1 + d];
      ch[y1 + d] = cc[x0 + d] - cc[x1 + d];
    }
  }
  if ((ido & 1) === 0) {
    for (let k = 0; k < l1; k++) {
      const x0 = C(ido - 1, 0, k);
      const x1 = C(0, 1, k);
      const y0 = H(ido - 1, k, 0);
      const y1 = H(ido - 1, k, 1);
      for (let d = 0; d < lanes; d++) {
        ch[y0 + d] = 2 * cc[x0 + d];
        ch[y1 + d] = -2 * cc[x1 + d];
      }
    }
  }
  if (ido <= 2) return;
  for (let k = 0; k < l1; k++) {
    for (let i = 2; i < ido; i += 2) {
      const ic = ido - i;
      const wr = wa[i - 2];
      const wi = wa[i - 1];
      const ar = C(i - 1, 0, k);
      const br = C(ic - 1, 1, k);
      const ai = C(i, 0, k);
      const bi = C(ic, 1, k);
      const o0r = H(i - 1, k, 0);
      const o0i = H(i, k, 0);
      const o1r = H(i - 1, k, 1);
      const o1i = H(i, k, 1);
      for (let d = 0; d < lanes; d++) {
        ch[o0r + d] = cc[ar + d] + cc[br + d];
        const tr2 = cc[ar + d] - cc[br + d];
        const ti2 = cc[ai + d] + cc[bi + d];
        ch[o0i + d] = cc[ai + d] - cc[bi + d];
        // (re, im) = w * (tr2, ti2)
        ch[o1i + d] = wr * ti2 + wi * tr2;
        ch[o1r + d] = wr * tr2 - wi * ti2;
      }
    }
  }
}

export function radb3(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + 3 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x0 = C(0, 0, k);
    const x1 = C(ido - 1, 1, k);
    const x2 = C(0, 2, k);
    const y0 = H(0, k, 0);
    const y1 = H(0, k, 1);
    const y2 = H(0, k, 2);
    for (let d = 0; d < lanes; d++) {
      const tr2 = 2 * cc[x1 + d];
      const cr2 = cc[x0 + d] + TAUR * tr2;
      ch[y0 + d] = cc[x0 + d] + tr2;
      const ci3 = 2 * TAUI * cc[x2 + d];
      ch[y2 + d] = cr2 + ci3;
      ch[y1 + d] = cr2 - ci3;
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
      const a0r = C(i - 1, 0, k);
      const a0i = C(i, 0, k);
      const a2r = C(i - 1, 2, k);
      const a2i = C(i, 2, k);
      const b1r = C(ic - 1, 1, k);
      const b1i = C(ic, 1, k);
      const o0r = H(i - 1, k, 0);
      const o0i = H(i, k, 0);
      const o1r = H(i - 1, k, 1);
      const o1i = H(i, k, 1);
      const o2r = H(i - 1, k, 2);
      const o2i = H(i, k, 2);
      for (let d = 0; d < lanes; d++) {
        const tr2 = cc[a2r + d] + cc[b1r + d];
        const ti2 = cc[a2i + d] - cc[b1i + d];
        const cr2 = cc[a0r + d] + TAUR * tr2;
        const ci2 = cc[a0i + d] + TAUR * ti2;
        ch[o0r + d] = cc[a0r + d] + tr2;
        ch[o0i + d] = cc[a0i + d] + ti2;
        const cr3 = TAUI * (cc[a2r + d] - cc[b1r + d]);
        const ci3 = TAUI * (cc[a2i + d] + cc[b1i + d]);
        const dr3 = cr2 + ci3;
        const dr2 = cr2 - ci3;
        const di2 = ci2 + cr3;
        const di3 = ci2 - cr3;
        ch[o1i + d] = w0r * di2 + w0i * dr2;
        ch[o1r + d] = w0r * dr2 - w0i * di2;
        ch[o2i + d] = w1r * di3 + w1i * dr3;
        ch[o2r + d] = w1r * dr3 - w1i * di3;
      }
    }
  }
}

export function radb4(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + 4 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x00 = C(0, 0, k);
    const x13 = C(ido - 1, 3, k);
    const x11 = C(ido - 1, 1, k);
    const x02 = C(0, 2, k);
    const y0 = H(0, k, 0);
    const y1 = H(0, k, 1);
    const y2 = H(0, k, 2);
    const y3 = H(0, k, 3);
    for (let d = 0; d < lanes; d++) {
      const tr2 = cc[x00 + d] + cc[x13 + d];
      const tr1 = cc[x00 + d] - cc[x13 + d];
      const tr3 = 2 * cc[x11 + d];
      const tr4 = 2 * cc[x02 + d];
      ch[y0 + d] = tr2 + tr3;
      ch[y2 + d] = tr2 - tr3;
      ch[y3 + d] = tr1 + tr4;
      ch[y1 + d] = tr1 - tr4;
    }
  }
  if ((ido & 1) === 0) {
    for (let k = 0; k < l1; k++) {
      const x03 = C(0, 3, k);
      const x01 = C(0, 1, k);
      const x10 = C(ido - 1, 0, k);
      const x12 = C(ido - 1, 2, k);
      const y0 = H(ido - 1, k, 0);
      const y1 = H(ido - 1, k, 1);
      const y2 = H(ido - 1, k, 2);
      const y3 = H(ido - 1, k, 3);
      for (let d = 0; d < lanes; d++) {
        const ti1 = cc[x03 + d] + cc[x01 + d];
        const ti2 = cc[x03 + d] - cc[x01 + d];
        const tr2 = cc[x10 + d] + cc[x12 + d];
        const tr1 = cc[x10 + d] - cc[x12 + d];
        ch[y0 + d] = tr2 + tr2;
        ch[y1 + d] = SQRT2 * (tr1 - ti1);
        ch[y2 + d] = ti2 + ti2;
        ch[y3 + d] = -SQRT2 * (tr1 + ti1);
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
      const a0r = C(i - 1, 0, k);
      const a0i = C(i, 0, k);
      const a2r = C(i - 1, 2, k);
      const a2i = C(i, 2, k);
      const b3r = C(ic - 1, 3, k);
      const b3i = C(ic, 3, k);
      const b1r = C(ic - 1, 1, k);
      const b1i = C(ic, 1, k);
      const o0r = H(i - 1, k, 0);
      const o0i = H(i, k, 0);
      const o1r = H(i - 1, k, 1);
      const o1i = H(i, k, 1);
      const o2r = H(i - 1, k, 2);
      const o2i = H(i, k, 2);
      const o3r = H(i - 1, k, 3);
      const o3i = H(i, k, 3);
      for (let d = 0; d < lanes; d++) {
        const tr2 = cc[a0r + d] + cc[b3r + d];
        const tr1 = cc[a0r + d] - cc[b3r + d];
        const ti1 = cc[a0i + d] + cc[b3i + d];
        const ti2 = cc[a0i + d] - cc[b3i + d];
        const tr4 = cc[a2i + d] + cc[b1i + d];
        const ti3 = cc[a2i + d] - cc[b1i + d];
        const tr3 = cc[a2r + d] + cc[b1r + d];
        const ti4 = cc[a2r + d] - cc[b1r + d];
        ch[o0r + d] = tr2 + tr3;
        const cr3 = tr2 - tr3;
        ch[o0i + d] = ti2 + ti3;
        const ci3 = ti2 - ti3;
        const cr4 = tr1 + tr4;
        const cr2 = tr1 - tr4;
        const ci2 = ti1 + ti4;
        const ci4 = ti1 - ti4;
        ch[o1i + d] = w0r * ci2 + w0i * cr2;
        ch[o1r + d] = w0r * cr2 - w0i * ci2;
        ch[o2i + d] = w1r * ci3 + w1i * cr3;
        ch[o2r + d] = w1r * cr3 - w1i * ci3;
        ch[o3i + d] = w2r * ci4 + w2i * cr4;
        ch[o3r + d] = w2r * cr4 - w2i * ci4;
      }
    }
  }
}

export function radb5(ido: number, l1: number, cc: Buffer, ch: Buffer, wa: Buffer, lanes: number): void {
  const C = (a: number, b: number, c: number) => (a + ido * (b + 5 * c)) * lanes;
  const H = (a: number, b: number, c: number) => (a + ido * (b + l1 * c)) * lanes;
  for (let k = 0; k < l1; k++) {
    const x00 = C(0, 0, k);
    const x02 = C(0, 2, k);
    const x04 = C(0, 4, k);
    const x11 = C(ido - 1, 1, k);
    const x13 = C(ido - 1, 3, k);
    const y0 = H(0, k, 0);
    const y1 = H(0, k, 1);
    const y2 = H(0, k, 2);
    const y3 = H(0, k, 3);
    const y4 = H(0, k, 4);
    for (let d = 0; d < lanes; d++) {
      const ti5 = cc[x02 + d] + cc[x02 + d];
      const ti4 = cc[x04 + d] + cc[x04 + d];
      const tr2 = cc[x11 + d] + cc[x11 + d];
      const tr3 = cc[x13 + d] + cc[x13 + d];
      const c0 = cc[x00 + d];
      ch[y0 + d] = c0 + tr2 + tr3;
      const cr2 = c0 + TR11 * tr2 + TR12 * tr3;
      const cr3 = c0 + TR12 * tr2 + TR11 * tr3;
      // (ci5, ci4) = (ti5 ti11 + ti4 ti12, ti5 ti12 - ti4 ti11)
      const ci5 = ti5 * TI11 + ti4 * TI12;
      const ci4 = ti5 * TI12 - ti4 * TI11;
      ch[y4 + d] = cr2 + ci5;
      ch[y1 + d] = cr2 - ci5;
      ch[y3 + d] = cr3 + ci4;
      ch[y2 + d] = cr3 - ci4;
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
      const a0r = C(i - 1, 0, k);
      const a0i = C(i, 0, k);
      const a2r = C(i - 1, 2, k);
      const a2i = C(i, 2, k);
      const a4r = C(i - 1, 4, k);
      const a4i = C(i, 4, k);
      const b1r = C(ic - 1, 1, k);
      const b1i = C(ic, 1, k);
      const b3r = C(ic - 1, 3, k);
      const b3i = C(ic, 3, k);
      const o0 = H(i - 1, k, 0);
      const o1 = H(i - 1, k, 1);
      const o2 = H(i - 1, k, 2);
      const o3 = H(i - 1, k, 3);
      const o4 = H(i - 1, k, 4);
      for (let d = 0; d < lanes; d++) {
        const tr2 = cc[a2r + d] + cc[b1r + d];
        const tr5 = cc[a2r + d] - cc[b1r + d];
        const ti5 = cc[a2i + d] + cc[b1i + d];
        const ti2 = cc[a2i + d] - cc[b1i + d];
        const tr3 = cc[a4r + d] + cc[b3r + d];
        const tr4 = cc[a4r + d] - cc[b3r + d];
        const ti4 = cc[a4i + d] + cc[b3i + d];
        const ti3 = cc[a4i + d] - cc[b3i + d];
        const c0r = cc[a0r + d];
        const c0i = cc[a0i + d];
        ch[o0 + d] = c0r + tr2 + tr3;
        ch[o0 + lanes + d] = c0i + ti2 + ti3;
        const cr2 = c0r + TR11 * tr2 + TR12 * tr3;
        const ci2 = c0i + TR11 * ti2 + TR12 * ti3;
        const cr3 = c0r + TR12 * tr2 + TR11 * tr3;
        const ci3 = c0i + TR12 * ti2 + TR11 * ti3;
        const cr5 = tr5 * TI11 + tr4 * TI12;
        const cr4 = tr5 * TI12 - tr4 * TI11;
        const ci5 = ti5 * TI11 + ti4 * TI12;
        const ci4 = ti5 * TI12 - ti4 * TI11;
        const dr4 = cr3 + ci4;
        const dr3 = cr3 - ci4;
        const di3 = ci3 + cr4;
        const di4 = ci3 - cr4;
        const dr5 = cr2 + ci5;
        const dr2 = cr2 - ci5;
        const di2 = ci2 + cr5;
        const di5 = ci2 - cr5;
        ch[o1 + lanes + d] = w0r * di2 + w0i * dr2;
        ch[o1 + d] = w0r * dr2 - w0i * di2;
        ch[o2 + lanes + d] = w1r * di3 + w1i * dr3;
        ch[o2 + d] = w1r * dr3 - w1i * di3;
        ch[o3 + lanes + d] = w2r * di4 + w2i * dr4;
        ch[o3 + d] = w2r * dr4 - w2i * di4;
        ch[o4 + lanes + d] = w3r * di5 + w3i * dr5;
        ch[o4 + d] = w3r * dr5 - w3i * di5;
      }
    }
  }
}

/** Generic odd radix `ip`: reads `cc`, uses it as scratch, and leaves the result in `ch` (`radbg`). */
export function radbg(
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
  const C1 = CH;
  const C2 = (a: number, b: number) => (a + idl1 * b) * lanes;

  for (let k = 0; k < l1; k++) {
    for (let i = 0; i < ido; i++) {
      const o = CH(i, k, 0);
      const s = CC(i, 0, k);
      for (let d = 0; d < lanes; d++) ch[o + d] = cc[s + d];
    }
  }
  for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
    const j2 = 2 * j - 1;
    for (let k = 0; k < l1; k++) {
      const o1 = CH(0, k, j);
      const o2 = CH(0, k, jc);
      const s1 = CC(ido - 1, j2, k);
      const s2 = CC(0, j2 + 1, k);
      for (let d = 0; d < lanes; d++) {
        ch[o1 + d] = 2 * cc[s1 + d];
        ch[o2 + d] = 2 * cc[s2 + d];
      }
    }
  }
  if (ido !== 1) {
    for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
      const j2 = 2 * j - 1;
      for (let k = 0; k < l1; k++) {
        for (let i = 1, ic = ido - i - 2; i <= ido - 2; i += 2, ic -= 2) {
          const a = CC(i, j2 + 1, k);
          const b = CC(ic, j2, k);
          const a1 = CC(i + 1, j2 + 1, k);
          const b1 = CC(ic + 1, j2, k);
          const oj = CH(i, k, j);
          const ojc = CH(i, k, jc);
          const oj1 = CH(i + 1, k, j);
          const ojc1 = CH(i + 1, k, jc);
          for (let d = 0; d < lanes; d++) {
            ch[oj + d] = cc[a + d] + cc[b + d];
            ch[ojc + d] = cc[a + d] - cc[b + d];
            ch[oj1 + d] = cc[a1 + d] - cc[b1 + d];
            ch[ojc1 + d] = cc[a1 + d] + cc[b1 + d];
          }
        }
      }
    }
  }
  for (let l = 1, lc = ip - 1; l < ipph; l++, lc--) {
    for (let ik = 0; ik < idl1; ik++) {
      const ol = C2(ik, l);
      const olc = C2(ik, lc);
      const h0 = C2(ik, 0);
      const h1 = C2(ik, 1);
      const h2 = C2(ik, 2);
      const hl = C2(ik, ip - 1);
      const hl2 = C2(ik, ip - 2);
      for (let d = 0; d < lanes; d++) {
        cc[ol + d] = ch[h0 + d] + csarr[2 * l] * ch[h1 + d] + csarr[4 * l] * ch[h2 + d];
        cc[olc + d] = csarr[2 * l + 1] * ch[hl + d] + csarr[4 * l + 1] * ch[hl2 + d];
      }
    }
    let iang = 2 * l;
    let j = 3;
    let jc = ip - 3;
    // radbg wraps the angle index with `>` where radfg uses `>=`; iang never equals ip here, kept as is.
    for (; j < ipph - 3; j += 4, jc -= 4) {
      const ar: number[] = [];
      const ai: number[] = [];
      for (let q = 0; q < 4; q++) {
        iang += l;
        if (iang > ip) iang -= ip;
        ar.push(csarr[2 * iang]);
        ai.push(csarr[2 * iang + 1]);
      }
      for (let ik = 0; ik < idl1; ik++) {
        const ol = C2(ik, l);
        const olc = C2(ik, lc);
        const j0 = C2(ik, j);
        const j1 = C2(ik, j + 1);
        const j2 = C2(ik, j + 2);
        const j3 = C2(ik, j + 3);
        const k0 = C2(ik, jc);
        const k1 = C2(ik, jc - 1);
        const k2 = C2(ik, jc - 2);
        const k3 = C2(ik, jc - 3);
        for (let d = 0; d < lanes; d++) {
          cc[ol + d] += ar[0] * ch[j0 + d] + ar[1] * ch[j1 + d] + ar[2] * ch[j2 + d] + ar[3] * ch[j3 + d];
          cc[olc + d] += ai[0] * ch[k0 + d] + ai[1] * ch[k1 + d] + ai[2] * ch[k2 + d] + ai[3] * ch[k3 + d];
        }
      }
    }
    for (; j < ipph - 1; j += 2, jc -= 2) {
      iang += l;
      if (iang > ip) iang -= ip;
      const ar1 = csarr[2 * iang];
      const ai1 = csarr[2 * iang + 1];
      iang += l;
      if (iang > ip) iang -= ip;
      const ar2 = csarr[2 * iang];
      const ai2 = csarr[2 * iang + 1];
      for (let ik = 0; ik < idl1; ik++) {
        const ol = C2(ik, l);
        const olc = C2(ik, lc);
        const j0 = C2(ik, j);
        const j1 = C2(ik, j + 1);
        const k0 = C2(ik, jc);
        const k1 = C2(ik, jc - 1);
        for (let d = 0; d < lanes; d++) {
          cc[ol + d] += ar1 * ch[j0 + d] + ar2 * ch[j1 + d];
          cc[olc + d] += ai1 * ch[k0 + d] + ai2 * ch[k1 + d];
        }
      }
    }
    for (; j < ipph; j++, jc--) {
      iang += l;
      if (iang > ip) iang -= ip;
      const war = csarr[2 * iang];
      const wai = csarr[2 * iang + 1];
      for (let ik = 0; ik < idl1; ik++) {
        const ol = C2(ik, l);
        const olc = C2(ik, lc);
        const j0 = C2(ik, j);
        const k0 = C2(ik, jc);
        for (let d = 0; d < lanes; d++) {
          cc[ol + d] += war * ch[j0 + d];
          cc[olc + d] += wai * ch[k0 + d];
        }
      }
    }
  }
  for (let j = 1; j < ipph; j++) {
    for (let ik = 0; ik < idl1; ik++) {
      const h = C2(ik, 0);
      const s = C2(ik, j);
      for (let d = 0; d < lanes; d++) ch[h + d] += ch[s + d];
    }
  }
  for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
    for (let k = 0; k < l1; k++) {
      const oj = CH(0, k, j);
      const ojc = CH(0, k, jc);
      const sj = C1(0, k, j);
      const sjc = C1(0, k, jc);
      for (let d = 0; d < lanes; d++) {
        ch[ojc + d] = cc[sj + d] + cc[sjc + d];
        ch[oj + d] = cc[sj + d] - cc[sjc + d];
      }
    }
  }
  if (ido === 1) return;
  for (let j = 1, jc = ip - 1; j < ipph; j++, jc--) {
    for (let k = 0; k < l1; k++) {
      for (let i = 1; i <= ido - 2; i += 2) {
        const aj = C1(i, k, j);
        const ajc = C1(i, k, jc);
        const bj = C1(i + 1, k, j);
        const bjc = C1(i + 1, k, jc);
        const oj = CH(i, k, j);
        const ojc = CH(i, k, jc);
        const oj1 = CH(i + 1, k, j);
        const ojc1 = CH(i + 1, k, jc);
        for (let d = 0; d < lanes; d++) {
          ch[oj + d] = cc[aj + d] - cc[bjc + d];
          ch[ojc + d] = cc[aj + d] + cc[bjc + d];
          ch[oj1 + d] = cc[bj + d] + cc[ajc + d];
          ch[ojc1 + d] = cc[bj + d] - cc[ajc + d];
        }
      }
    }
  }
  for (let j = 1; j < ip; j++) {
    const is = (j - 1) * (ido - 1);
    for (let k = 0; k < l1; k++) {
      let idij = is;
      for (let i = 1; i <= ido - 2; i += 2) {
        const p = CH(i, k, j);
        const q = CH(i + 1, k, j);
        const wr = wa[idij];
        const wi = wa[idij + 1];
        for (let d = 0; d < lanes; d++) {
          const t1 = ch[p + d];
          const t2 = ch[q + d];
          ch[p + d] = wr * t1 - wi * t2;
          ch[q + d] = wr * t2 + wi * t1;
        }
        idij += 2;
      }
    }
  }
}
