/**
 * Rounds to the nearest integer, ties to even, as numpy's `around` does.
 * (`Math.round` rounds ties toward +Infinity, which changes FAST tokens on exact halves.)
 *
 * @example
 * roundHalfEven(2.5); // 2
 * roundHalfEven(-3.5); // -4
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Only an exact half can differ from Math.round; x / 2 is exact in binary floating point.
  return r - x === 0.5 ? 2 * Math.round(x / 2) : r;
}
