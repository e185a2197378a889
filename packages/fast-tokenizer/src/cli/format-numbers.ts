/** Largest `--precision` (decimal places) the decoder accepts; beyond it doubles carry no more digits. */
export const MAX_PRECISION = 15;

let scratch: number[] = [];

/**
 * A row-major `[horizon, dim]` array as JSON rows, `[[a,b],[c,d]]`. Numbers are written as `JSON.stringify`
 * writes them (the shortest text that reads back as the same float64), or, with `precision`, rounded half
 * away from zero to that many decimal places.
 */
export function formatRows(
  data: ArrayLike<number>,
  horizon: number,
  dim: number,
  precision?: number,
): string {
  const n = horizon * dim;
  if (precision !== undefined) return fixedRows(data, horizon, dim, precision);
  // One JSON.stringify of a plain array is the fastest way to V8's shortest round-trip formatting;
  // the row brackets go in afterwards.
  if (scratch.length !== n) scratch = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) scratch[i] = data[i];
  return splitRows(JSON.stringify(scratch), dim);
}

/** `[x0,x1,…]` (numbers only, so every comma separates two of them) regrouped as rows of `dim`. */
function splitRows(flat: string, dim: number): string {
  let out = '[[';
  let start = 1;
  let count = 0;
  for (let comma = flat.indexOf(',', start); comma !== -1; comma = flat.indexOf(',', comma + 1)) {
    if (++count % dim === 0) {
      out += `${flat.slice(start, comma)}],[`;
      start = comma + 1;
    }
  }
  return `${out}${flat.slice(start, flat.length - 1)}]]`;
}

function fixedRows(data: ArrayLike<number>, horizon: number, dim: number, decimals: number): string {
  const scale = 10 ** decimals;
  let out = '[';
  for (let t = 0; t < horizon; t++) {
    out += t === 0 ? '[' : ',[';
    for (let d = 0; d < dim; d++)
      out += (d === 0 ? '' : ',') + formatFixed(data[t * dim + d], scale, decimals);
    out += ']';
  }
  return `${out}]`;
}

const ZEROS = '000000000000000';

/**
 * `x` rounded half away from zero to `decimals` places (`scale` = 10^decimals), written without trailing
 * zeros. Integer arithmetic: about twice as fast as formatting the rounded double.
 */
function formatFixed(x: number, scale: number, decimals: number): string {
  if (!Number.isFinite(x)) return 'null';
  const negative = x < 0;
  const units = Math.round((negative ? -x : x) * scale);
  if (units >= Number.MAX_SAFE_INTEGER) return JSON.stringify((negative ? -units : units) / scale);
  if (units === 0) return '0';
  const whole = Math.floor(units / scale);
  let fraction = units - whole * scale;
  let text: string;
  if (fraction === 0) text = `${whole}`;
  else {
    let places = decimals;
    while (fraction % 10 === 0) {
      fraction /= 10;
      places--;
    }
    const digits = `${fraction}`;
    text = `${whole}.${ZEROS.slice(0, places - digits.length)}${digits}`;
  }
  return negative ? `-${text}` : text;
}
