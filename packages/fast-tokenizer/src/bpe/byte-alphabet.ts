/**
 * GPT-2's byte-level alphabet: every byte gets a printable character. Bytes 33–126, 161–172 and
 * 174–255 stand for themselves; the other 68 bytes take U+0100 onwards, in increasing byte order.
 */
function buildByteToChar(): string[] {
  const chars: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    chars.push(String.fromCodePoint(printable ? b : next++));
  }
  return chars;
}

/** `BYTE_TO_CHAR[b]` is the one-character string that stands for byte `b`. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Code point of a byte-level character → the byte it stands for. */
export const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(
  BYTE_TO_CHAR.map((c, b) => [c.codePointAt(0)!, b]),
);

/** The 256 byte-level characters, sorted by code point (the initial alphabet of a byte-level BPE). */
export function byteLevelAlphabet(): string[] {
  return [...BYTE_TO_CHAR].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}
