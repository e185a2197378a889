/**
 * Could fft.js carry FAST's DCT? Compares, at FAST's chunk shapes (10 and 50 steps × 7 dims):
 * - `dct` (this package: scipy's pocketfft algorithm, operation for operation),
 * - the cached-basis DCT (`dctBasis` times the chunk: the textbook matrix product),
 * - an fft.js DCT-II: Makhoul's reordering, the length-T DFT by Bluestein's chirp-z algorithm on fft.js's
 *   power-of-two FFT (fft.js only does powers of two; FAST's lengths are 10 and 50).
 * For each: microseconds per chunk (median of 7 rounds) and how many coefficients are bit-identical to
 * `dct`, which is bit-identical to scipy; any other bit can round a coefficient the other way at an exact
 * tie (k + 0.5 after scaling) and change a token. Prints JSON lines; a benchmark, not a test.
 * Run: pnpm exec tsx bench/fftjs-dct.bench.ts
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dct, dctBasis } from '../src/dct.js';
import { mulberry32, smoothChunk } from '../test/helpers/random.js';

interface FftJs {
  createComplexArray(): number[];
  transform(out: number[], data: number[]): void;
  inverseTransform(out: number[], data: number[]): void;
}
const FFT = createRequire(import.meta.url)('fft.js') as new (size: number) => FftJs;

/** DCT-II (orthonormal) of every column of a [T, D] chunk via fft.js, with T arbitrary (Bluestein). */
function fftjsDctFactory(T: number): (x: ArrayLike<number>, D: number, out: Float64Array) => Float64Array {
  let M = 1;
  while (M < 2 * T - 1) M *= 2;
  M = Math.max(M, 4);
  const fft = new FFT(M);
  // Chirp w[n] = exp(-iπ n²/T); b = conj(w) zero-padded and wrapped, transformed once.
  const wRe = new Float64Array(T);
  const wIm = new Float64Array(T);
  for (let n = 0; n < T; n++) {
    const angle = (Math.PI * ((n * n) % (2 * T))) / T;
    wRe[n] = Math.cos(angle);
    wIm[n] = -Math.sin(angle);
  }
  const b = new Array<number>(2 * M).fill(0);
  for (let n = 0; n < T; n++) {
    b[2 * n] = wRe[n];
    b[2 * n + 1] = -wIm[n];
    if (n > 0) {
      b[2 * (M - n)] = wRe[n];
      b[2 * (M - n) + 1] = -wIm[n];
    }
  }
  const B = fft.createComplexArray();
  fft.transform(B, b);
  // Makhoul's twiddles exp(-iπk/2T) and the orthonormal scales.
  const tRe = Float64Array.from({ length: T }, (_, k) => Math.cos((Math.PI * k) / (2 * T)));
  const tIm = Float64Array.from({ length: T }, (_, k) => -Math.sin((Math.PI * k) / (2 * T)));
  const scale = Float64Array.from({ length: T }, (_, k) => Math.sqrt((k === 0 ? 1 : 2) / T));
  const a = new Array<number>(2 * M).fill(0);
  const A = fft.createComplexArray();
  const conv = fft.createComplexArray();
  return (x, D, out) => {
    for (let d = 0; d < D; d++) {
      a.fill(0);
      for (let n = 0; n < T; n++) {
        // v = even samples forward, odd samples backward (Makhoul), times the chirp.
        const v = 2 * n < T ? x[2 * n * D + d] : x[(2 * (T - n) - 1) * D + d];
        a[2 * n] = v * wRe[n];
        a[2 * n + 1] = v * wIm[n];
      }
      fft.transform(A, a);
      for (let i = 0; i < 2 * M; i += 2) {
        const re = A[i] * B[i] - A[i + 1] * B[i + 1];
        const im = A[i] * B[i + 1] + A[i + 1] * B[i];
        A[i] = re;
        A[i + 1] = im;
      }
      fft.inverseTransform(conv, A);
      for (let k = 0; k < T; k++) {
        const vRe = conv[2 * k] * wRe[k] - conv[2 * k + 1] * wIm[k];
        const vIm = conv[2 * k] * wIm[k] + conv[2 * k + 1] * wRe[k];
        out[k * D + d] = scale[k] * (vRe * tRe[k] - vIm * tIm[k]);
      }
    }
    return out;
  };
}

function basisDct(x: ArrayLike<number>, T: number, D: number, out: Float64Array): Float64Array {
  const C = dctBasis(T);
  for (let k = 0; k < T; k++) {
    for (let d = 0; d < D; d++) {
      let sum = 0;
      for (let n = 0; n < T; n++) sum += C[k * T + n] * x[n * D + d];
      out[k * D + d] = sum;
    }
  }
  return out;
}

const machine = `${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}`;
const D = 7;
for (const T of [10, 50]) {
  const rng = mulberry32(T);
  const chunks = Array.from({ length: 1000 }, () => smoothChunk(rng, T, D));
  const reference = chunks.map((c) => dct(c, T, D));
  const fftjs = fftjsDctFactory(T);
  const methods: Record<string, (x: ArrayLike<number>, out: Float64Array) => Float64Array> = {
    'dct (pocketfft order)': (x, out) => dct(x, T, D, out),
    'cached basis': (x, out) => basisDct(x, T, D, out),
    'fft.js + Bluestein': (x, out) => fftjs(x, D, out),
  };
  for (const [name, run] of Object.entries(methods)) {
    const out = new Float64Array(T * D);
    let identical = 0;
    let maxAbs = 0;
    chunks.forEach((c, i) => {
      const got = run(c, out);
      for (let j = 0; j < got.length; j++) {
        if (Object.is(got[j], reference[i][j])) identical++;
        maxAbs = Math.max(maxAbs, Math.abs(got[j] - reference[i][j]));
      }
    });
    const rounds: number[] = [];
    for (let r = 0; r < 7; r++) {
      const start = performance.now();
      for (let rep = 0; rep < 5; rep++) for (const c of chunks) run(c, out);
      rounds.push(((performance.now() - start) * 1000) / (5 * chunks.length));
    }
    rounds.sort((p, q) => p - q);
    console.log(
      JSON.stringify({
        bench: 'dct-ii',
        shape: `${T}x${D}`,
        method: name,
        usPerChunk: Number(rounds[3].toFixed(3)),
        bitIdenticalToScipy: `${identical}/${chunks.length * T * D}`,
        maxAbsDiff: maxAbs,
        machine,
      }),
    );
  }
}
