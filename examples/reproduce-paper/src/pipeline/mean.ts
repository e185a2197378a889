/** The arithmetic mean; NaN for no values (a figure with nothing behind it, not a 0). */
export const mean = (xs: readonly number[]): number =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
