// Golden test against the Python reference itself: `fast-plus-golden.jsonl` was produced by scipy 1.17.1
// (`dct(..., axis=0, norm="ortho")` × 10, `np.around`, `chr(c + 354)`), Hugging Face `tokenizers` on the
// FAST+ tokenizer.json, and back through `tokenizers` decode, clean-up and `scipy.fft.idct`.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dctBasis } from '../src/dct.js';
import type { FastTokenizer } from '../src/fast-tokenizer.js';
import { loadFastTokenizer } from '../src/io/hf-layout.js';
import { FAST_PLUS_DIR, FAST_PLUS_GOLDEN, sharedAvailable } from './helpers/shared.js';

interface GoldenLine {
  readonly kind: 'synthetic' | 'exact-tie';
  readonly actions: number[][];
  readonly ids: number[];
  /** null where the reference fails to decode its own ids. */
  readonly decoded: number[][] | null;
}

const SCALE = 10;

/** Scaled coefficients (c × 10) by the textbook cosine matrix, summed in index order. */
function matrixScaled(actions: number[][]): number[] {
  const T = actions.length;
  const D = actions[0].length;
  const basis = dctBasis(T);
  const out: number[] = [];
  for (let k = 0; k < T; k++) {
    for (let d = 0; d < D; d++) {
      let acc = 0;
      for (let n = 0; n < T; n++) acc += basis[k * T + n] * actions[n][d];
      out.push(acc * SCALE);
    }
  }
  return out;
}

/** Positions whose scaled coefficient is within `eps` of k + 0.5 (where the rounding direction is fragile). */
function tiePositions(scaled: number[], eps: number): number[] {
  const at: number[] = [];
  scaled.forEach((v, i) => {
    if (Math.abs(v - Math.floor(v) - 0.5) < eps) at.push(i);
  });
  return at;
}

const haveAll =
  sharedAvailable(FAST_PLUS_DIR, 'FAST+ tokenizer') &&
  sharedAvailable(FAST_PLUS_GOLDEN, 'FAST+ golden fixture');

describe.skipIf(!haveAll)('FAST+ against the Python reference (fast-plus-golden.jsonl)', () => {
  let fast: FastTokenizer;
  let lines: GoldenLine[];
  beforeAll(async () => {
    fast = await loadFastTokenizer(FAST_PLUS_DIR);
    lines = readFileSync(FAST_PLUS_GOLDEN, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as GoldenLine);
  });

  it('holds 400 synthetic and 60 exact-tie chunks', () => {
    expect(lines.filter((l) => l.kind === 'synthetic')).toHaveLength(400);
    expect(lines.filter((l) => l.kind === 'exact-tie')).toHaveLength(60);
  });

  it.each(['synthetic', 'exact-tie'] as const)(
    'encodes every %s chunk to exactly the reference ids',
    (kind) => {
      const mismatches: string[] = [];
      lines.forEach((line, i) => {
        if (line.kind !== kind) return;
        const got = Array.from(fast.encode(line.actions));
        if (got.length !== line.ids.length || got.some((id, j) => id !== line.ids[j])) {
          mismatches.push(`line ${i + 1} (${line.actions.length}×${line.actions[0].length})`);
        }
      });
      expect(mismatches).toEqual([]);
    },
  );

  // The reference decode is float64 throughout (int64 code points + min_token, / 10, scipy idct in
  // float64), and our idct follows scipy's operation order, so the comparison is exact, not a tolerance.
  it('decodes every line bit-exactly to the reference actions', () => {
    const mismatches: string[] = [];
    lines.forEach((line, i) => {
      const T = line.actions.length;
      const D = line.actions[0].length;
      const { actions, ok } = fast.decode([line.ids], { horizon: T, dim: D });
      if (line.decoded === null) {
        // The reference prints an error and returns zeros; so does our default 'zeros' policy.
        if (ok[0] || actions[0].some((v) => v !== 0)) mismatches.push(`line ${i + 1}: expected a failure`);
        return;
      }
      const want = line.decoded.flat();
      if (!ok[0] || want.some((v, j) => !Object.is(v, actions[0][j]))) mismatches.push(`line ${i + 1}`);
    });
    expect(mismatches).toEqual([]);
  });

  it('fails like the reference where decoding fails: zeros, and the failure reported', () => {
    // The fixture has no line the reference fails on (no decoded: null), so make some: cut the last id.
    expect(lines.filter((l) => l.decoded === null)).toHaveLength(0);
    const line = lines[0];
    const T = line.actions.length;
    const D = line.actions[0].length;
    const { actions, ok, failures } = fast.decode([line.ids.slice(0, -1)], { horizon: T, dim: D });
    // The Python reference prints "Error decoding tokens" and returns idct(zeros) = zeros.
    expect(ok).toEqual([false]);
    expect(failures[0].reason).toMatch(/expected \d+ \(\d+ × \d+\)/);
    expect(actions[0].every((v) => v === 0)).toBe(true);
  });

  it('exact-tie lines really sit on ties, where the cosine-matrix DCT rounds differently', () => {
    // Guards the guard: with the textbook matrix product instead of scipy's FFT order, most of these
    // chunks quantize differently, so the encode test above would catch a change of DCT algorithm.
    let differing = 0;
    for (const line of lines.filter((l) => l.kind === 'exact-tie')) {
      const scaled = matrixScaled(line.actions);
      const ties = tiePositions(scaled, 1e-9);
      expect(ties.length).toBeGreaterThan(0);
      const codePoints = Array.from(fast.toText(line.actions), (c) => c.codePointAt(0)!);
      const naive = scaled.map((v) => Math.round(v) - fast.config.minToken);
      // Away from ties, the matrix DCT and ours agree on every quantized value.
      const tieSet = new Set(ties);
      naive.forEach((cp, j) => {
        if (!tieSet.has(j)) expect(Math.max(cp, 0)).toBe(codePoints[j]);
      });
      if (naive.some((cp, j) => Math.max(cp, 0) !== codePoints[j])) differing++;
    }
    expect(differing).toBeGreaterThan(30);
  });
});
