import { byteLevelPreTokenizer } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { preTokenize } from '../../src/bpe/pretokenize.js';
import { byteLevel } from '../helpers/oracle.js';

const oracle = byteLevelPreTokenizer(false, true);

/** Code points in [from, to), surrogates left out. */
function* codePoints(from: number, to: number): Generator<number> {
  for (let cp = from; cp < to; cp++) if (cp < 0xd800 || cp > 0xdfff) yield cp;
}

/** First code point of [from, to) whose split differs from the Rust library's, or null. */
function firstMismatch(from: number, to: number): number | null {
  // Each code point between a letter, a number, an ASCII space and a symbol: any difference in its
  // class (letter, number, white space, other) changes where the pieces end.
  const probe = (ch: string) => `a${ch}5${ch} ${ch}!${ch}\n`;
  const batch = 4096;
  for (let start = from; start < to; start += batch) {
    const cps = [...codePoints(start, Math.min(start + batch, to))];
    const text = cps.map((cp) => probe(String.fromCodePoint(cp))).join('');
    const want = oracle.preTokenizeString(text).map((p) => p[0]);
    const got = preTokenize(text).map(byteLevel);
    if (JSON.stringify(got) === JSON.stringify(want)) continue;
    for (const cp of cps) {
      const t = probe(String.fromCodePoint(cp));
      const w = oracle.preTokenizeString(t).map((p) => p[0]);
      if (JSON.stringify(preTokenize(t).map(byteLevel)) !== JSON.stringify(w)) return cp;
    }
  }
  return null;
}

describe('the GPT-2 split classifies code points as the Rust library does', () => {
  // Planes 0-3 and 14 hold every assigned letter and number; 4-13 are unassigned, 15-16 private use.
  it.each([
    ['the Basic Multilingual Plane', 0, 0x10000],
    ['planes 1-3', 0x10000, 0x40000],
    ['plane 14', 0xe0000, 0xf0000],
    ['a sample of planes 4-13 and 15-16', 0x40000, 0x40400],
    ['the end of plane 16', 0x10fc00, 0x110000],
  ])(
    'in %s',
    (_name, from, to) => {
      expect(firstMismatch(from, to)).toBeNull();
    },
    // Exhaustive over ~260k code points: about 3 s alone, 9 s beside other test files on 2 cores.
    180_000,
  );
});
