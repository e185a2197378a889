import { FastTokenizerError } from './errors.js';
import { roundHalfEven } from './round-half-even.js';

const MAX_CODE_POINT = 0x10ffff;

/**
 * Quantizes DCT coefficients into the FAST token string: `round(c * scale)` (ties to even),
 * then one code point `max(v - minToken, 0)` per coefficient, in the order given.
 * Values that Python's `chr` or the Rust tokenizer would reject (beyond U+10FFFF, or a surrogate) throw.
 */
export function coefficientsToText(
  coefficients: ArrayLike<number>,
  scale: number,
  minToken: number,
  index?: number,
): string {
  const codePoints = quantizeToCodePoints(coefficients, scale, minToken, index);
  // fromCodePoint with a spread is limited by the argument count, so go in slices.
  let text = '';
  for (let i = 0; i < codePoints.length; i += 4096) {
    text += String.fromCodePoint(...codePoints.subarray(i, i + 4096));
  }
  return text;
}

/** The code points of {@link coefficientsToText}, without building the string. */
export function quantizeToCodePoints(
  coefficients: ArrayLike<number>,
  scale: number,
  minToken: number,
  index?: number,
): Int32Array {
  const codePoints = new Int32Array(coefficients.length);
  for (let i = 0; i < coefficients.length; i++) {
    const v = roundHalfEven(coefficients[i] * scale) - minToken;
    const cp = Math.max(v, 0);
    if (!(cp <= MAX_CODE_POINT) || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new FastTokenizerError(
        `coefficient ${i} quantizes to ${v + minToken}, whose code point ${cp} is not a valid Unicode scalar ` +
          '(the action is far outside the normalized range; normalize it, or lower the scale)',
        index,
      );
    }
    codePoints[i] = cp;
  }
  return codePoints;
}

/** Reads a FAST token string back into integer coefficients: each code point plus `minToken`. */
export function textToCoefficients(text: string, minToken: number): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0)! + minToken);
  return out;
}
