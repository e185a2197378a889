/**
 * Encode/decode throughput of this package against "this package's DCT + the Rust `tokenizers` binding
 * for BPE", on the FAST+ vocabulary, for chunk shapes 5×7, 30×26 and 50×32. Single thread: run with
 * RAYON_NUM_THREADS=1 (the `bench` script sets it) so the Rust side uses one thread too.
 *
 *   pnpm --filter @roboalign/fast-tokenizer bench
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { Tokenizer } from 'tokenizers';
import { dct, idct } from '../src/dct.js';
import { loadFastTokenizer } from '../src/io/hf-layout.js';
import { coefficientsToText } from '../src/quantize.js';
import { mulberry32, smoothChunk } from '../test/helpers/random.js';

const dir = resolve(import.meta.dirname, '../../../../shared/fast-plus');
if (!existsSync(dir)) {
  console.error(`FAST+ not found at ${dir}: the benchmark needs ../shared/fast-plus`);
  process.exit(1);
}
const fast = await loadFastTokenizer(dir);
const rust = Tokenizer.fromFile(resolve(dir, 'tokenizer.json'));
const { scale, minToken } = fast.config;

/** Runs `fn` over all chunks repeatedly for about `seconds`, returns chunks per second (best of 3 rounds). */
async function rate(count: number, seconds: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let done = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < (seconds * 1000) / 3) {
      await fn();
      done += count;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (done / elapsed) * 1000);
  }
  return best;
}

const shapes: Array<[number, number]> = [
  [5, 7],
  [30, 26],
  [50, 32],
];
const rows: string[] = [];
for (const [T, D] of shapes) {
  const rand = mulberry32(T * 100 + D);
  const chunks = Array.from({ length: 1000 }, () => smoothChunk(rand, T, D));
  const ids = chunks.map((data) => fast.encode({ data, horizon: T, dim: D }));
  const ours = {
    encode: await rate(chunks.length, 3, () => {
      for (const data of chunks) fast.encode({ data, horizon: T, dim: D });
    }),
    decode: await rate(chunks.length, 3, () => {
      for (const seq of ids) fast.decode([seq], { horizon: T, dim: D });
    }),
  };
  const ref = {
    encode: await rate(chunks.length, 3, async () => {
      for (const data of chunks) {
        const text = coefficientsToText(dct(data, T, D), scale, minToken);
        (await rust.encode(text)).getIds();
      }
    }),
    decode: await rate(chunks.length, 3, async () => {
      for (const seq of ids) {
        const text = await rust.decode(Array.from(seq), false);
        const coefficients = Array.from(text, (c) => (c.codePointAt(0)! + minToken) / scale);
        idct(coefficients, T, D);
      }
    }),
  };
  const meanTokens = ids.reduce((n, s) => n + s.length, 0) / ids.length;
  rows.push(
    `| ${T}×${D} | ${meanTokens.toFixed(1)} | ${ours.encode.toFixed(0)} | ${ref.encode.toFixed(0)} | ${(ours.encode / ref.encode).toFixed(2)}× | ${ours.decode.toFixed(0)} | ${ref.decode.toFixed(0)} | ${(ours.decode / ref.decode).toFixed(2)}× |`,
  );
}

console.log(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; RAYON_NUM_THREADS=${process.env.RAYON_NUM_THREADS ?? 'unset'}`,
);
console.log(
  'Chunks/second (higher is better); 1000 smooth chunks per shape, FAST+ vocabulary, best of 3 rounds.\n',
);
console.log(
  '| shape | tokens/chunk | encode: this package | encode: our DCT + Rust BPE | ratio | decode: this package | decode: Rust BPE + our IDCT | ratio |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
