// The radix constants of FFTPACK as pocketfft rounds them from long-double literals to float64
// (checked: the double rounding gives the same bits as rounding the decimal literal directly).

/** cos(2 pi / 3) */
export const TAUR = -0.5;
/** sin(2 pi / 3) */
export const TAUI = 0.8660254037844386;
/** sqrt(2) / 2 */
export const HALF_SQRT2 = Math.SQRT1_2;
/** sqrt(2) */
export const SQRT2 = Math.SQRT2;
/** cos(2 pi / 5) */
export const TR11 = 0.30901699437494745;
/** sin(2 pi / 5) */
export const TI11 = 0.9510565162951535;
/** cos(4 pi / 5) */
export const TR12 = -0.8090169943749475;
/** sin(4 pi / 5) */
export const TI12 = 0.5877852522924731;
