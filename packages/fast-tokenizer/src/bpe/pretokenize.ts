import { LETTER_RANGES, NUMBER_RANGES } from './unicode-classes.generated.js';

/**
 * The ByteLevel pre-tokenizer's split (`use_regex: true`): GPT-2's pattern
 * `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
 * as the Oniguruma engine in Hugging Face `tokenizers` matches it, written as a scanner over code points.
 * Oniguruma's `\s` is Unicode White_Space (it includes U+0085 and excludes U+FEFF, unlike JS `\s`).
 */

const LETTER = 1;
const NUMBER = 2;
const SPACE = 3;
// Everything else is 0: other (punctuation, symbols, marks, unassigned).

/** Unicode White_Space, which is Oniguruma's `\s`. */
const WHITE_SPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

let classes: Uint8Array | null = null;

/**
 * Class of every code point (letter, number, white space or other) as the Rust library's regex engine
 * sees it. Built from generated ranges rather than JS `\p{L}`, whose Unicode version follows Node's ICU.
 */
function classTable(): Uint8Array {
  if (classes !== null) return classes;
  const table = new Uint8Array(0x110000);
  const fill = (ranges: readonly number[], cls: number) => {
    for (let i = 0; i < ranges.length; i += 2) table.fill(cls, ranges[i], ranges[i + 1] + 1);
  };
  fill(LETTER_RANGES, LETTER);
  fill(NUMBER_RANGES, NUMBER);
  for (const cp of WHITE_SPACE) table[cp] = SPACE;
  classes = table;
  return table;
}

const APOSTROPHE = 0x27;

/** Length in code points of a contraction (`'s`, `'re`, …) starting at `i`, or 0. */
function contraction(cps: ArrayLike<number>, i: number, n: number): number {
  if (i + 1 >= n) return 0;
  const a = cps[i + 1];
  // s t m d
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return 2;
  if (i + 2 >= n) return 0;
  const b = cps[i + 2];
  // re ve ll
  if ((a === 0x72 && b === 0x65) || (a === 0x76 && b === 0x65) || (a === 0x6c && b === 0x6c)) return 3;
  return 0;
}

/**
 * Splits code points into pre-tokenizer pieces. Returns the piece boundaries as code-point indices:
 * piece k spans `[ends[k - 1] ?? 0, ends[k])`.
 */
export function splitCodePoints(cps: ArrayLike<number>, n: number = cps.length): number[] {
  const table = classTable();
  const classify = (cp: number) => table[cp];
  const ends: number[] = [];
  let i = 0;
  while (i < n) {
    const cp = cps[i];
    if (cp === APOSTROPHE) {
      const len = contraction(cps, i, n);
      if (len > 0) {
        i += len;
        ends.push(i);
        continue;
      }
    }
    let cls = classify(cp);
    let j = i;
    if (cp === 0x20 && i + 1 < n) {
      // ` ?X+`: a single ASCII space joins the run of letters, numbers or others after it.
      const next = classify(cps[i + 1]);
      if (next !== SPACE) {
        cls = next;
        j = i + 1;
      }
    }
    if (cls !== SPACE) {
      j++;
      while (j < n && classify(cps[j]) === cls) j++;
      ends.push(j);
      i = j;
      continue;
    }
    // White space: `\s+(?!\S)` takes the run but leaves its last character when a non-space follows;
    // a single space before a non-space falls through to `\s+`.
    j = i + 1;
    while (j < n && classify(cps[j]) === SPACE) j++;
    if (j < n && j - i > 1) j--;
    ends.push(j);
    i = j;
  }
  return ends;
}

/** The pre-tokenizer pieces of a string (before the byte-level mapping). */
export function preTokenize(text: string): string[] {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  const pieces: string[] = [];
  let start = 0;
  for (const end of splitCodePoints(cps)) {
    pieces.push(String.fromCodePoint(...cps.slice(start, end)));
    start = end;
  }
  return pieces;
}
