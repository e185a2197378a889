import { resolve } from 'node:path';
import { Tokenizer } from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { dct } from '../src/dct.js';
import { FastTokenizerError } from '../src/errors.js';
import { FastTokenizer } from '../src/fast-tokenizer.js';
import { loadFastTokenizer } from '../src/io/hf-layout.js';
import { coefficientsToText } from '../src/quantize.js';
import { mulberry32, smoothChunk } from './helpers/random.js';
import { FAST_PLUS_DIR, sharedAvailable } from './helpers/shared.js';

describe.skipIf(!sharedAvailable(FAST_PLUS_DIR, 'FAST+ tokenizer'))('FastTokenizer on FAST+', () => {
  let fast: FastTokenizer;
  let rust: Tokenizer;
  beforeAll(async () => {
    fast = await loadFastTokenizer(FAST_PLUS_DIR);
    rust = Tokenizer.fromFile(resolve(FAST_PLUS_DIR, 'tokenizer.json'));
  });

  it('reads the released config: scale 10, min_token -354, vocab 2048, clean-up on', () => {
    expect(fast.config).toMatchObject({
      scale: 10,
      minToken: -354,
      vocabSize: 2048,
      cleanUpTokenizationSpaces: true,
    });
    expect(fast.bpe.vocabSize).toBe(2048);
  });

  it('gives the ids of the Rust tokenizer on the FAST string of each chunk', async () => {
    const rand = mulberry32(11);
    for (const [T, D] of [
      [5, 7],
      [10, 7],
      [30, 26],
      [50, 32],
    ]) {
      for (let i = 0; i < 20; i++) {
        const data = smoothChunk(rand, T, D);
        const text = coefficientsToText(dct(data, T, D), 10, -354);
        const want = (await rust.encode(text)).getIds();
        expect(Array.from(fast.encode({ data, horizon: T, dim: D }))).toEqual(want);
      }
    }
  });

  it('round-trips within the quantization bound sqrt(T) * 0.5 / scale per value', () => {
    const rand = mulberry32(5);
    for (const [T, D] of [
      [5, 7],
      [30, 26],
      [50, 32],
    ]) {
      const data = smoothChunk(rand, T, D);
      const { actions, ok, failures } = fast.decode([fast.encode({ data, horizon: T, dim: D })], {
        horizon: T,
        dim: D,
      });
      expect(ok).toEqual([true]);
      expect(failures).toEqual([]);
      const bound = (Math.sqrt(T) * 0.5) / 10;
      for (let j = 0; j < data.length; j++)
        expect(Math.abs(actions[0][j] - data[j])).toBeLessThanOrEqual(bound);
    }
  });

  it('encodes nested rows and flat chunks alike, and names the chunk on bad input', () => {
    const rows = [
      [0.1, 0.2],
      [0.3, -0.4],
    ];
    expect(fast.encode(rows)).toEqual(fast.encode({ data: [0.1, 0.2, 0.3, -0.4], horizon: 2, dim: 2 }));
    expect(() => fast.encodeBatch([rows, [[0.1, 0.2], [0.3]]])).toThrow(/chunk 1: ragged chunk/);
    expect(() => fast.encode([[Number.NaN]])).toThrow(FastTokenizerError);
  });

  describe('decode failure policies', () => {
    const shape = { horizon: 5, dim: 7 };
    let good: Int32Array;
    let short: Int32Array;
    beforeAll(() => {
      good = fast.encode({ data: smoothChunk(mulberry32(1), 5, 7), ...shape });
      short = good.slice(0, good.length - 1);
    });

    it("'zeros' (default, reference-compatible) zeroes a chunk of the wrong length and reports it", () => {
      const r = fast.decode([good, short], shape);
      expect(r.ok).toEqual([true, false]);
      expect(r.failures).toHaveLength(1);
      expect(r.failures[0].index).toBe(1);
      expect(r.failures[0].reason).toMatch(/decoded \d+ coefficients, expected 35 \(5 × 7\)/);
      expect(Array.from(r.actions[1]).every((v) => v === 0)).toBe(true);
    });

    it("'pad' keeps the coefficients it has, padding with zeros", () => {
      const r = fast.decode([short], { ...shape, onError: 'pad' });
      expect(r.ok).toEqual([false]);
      expect(Array.from(r.actions[0]).some((v) => v !== 0)).toBe(true);
    });

    it("'throw' names the chunk", () => {
      expect(() => fast.decode([good, short], { ...shape, onError: 'throw' })).toThrow(/^chunk 1: decoded/);
    });

    it('reports negative or fractional ids instead of decoding them', () => {
      const r = fast.decode([[1, -3], [2.5]], shape);
      expect(r.failures.map((f) => f.reason)).toEqual([
        'id at position 1 is -3; ids must be non-negative integers',
        'id at position 0 is 2.5; ids must be non-negative integers',
      ]);
    });

    it('drops ids outside the vocabulary, as the Rust decoder does', () => {
      const withJunk = [...good.slice(0, 2), 999999, ...good.slice(2)];
      expect(fast.decode([withJunk], shape).actions[0]).toEqual(fast.decode([good], shape).actions[0]);
    });

    it('needs a shape when the config has none', () => {
      expect(() => fast.decode([good])).toThrow(/pass \{ horizon, dim \}/);
    });
  });

  it('applies clean_up_tokenization_spaces like transformers when the config asks', () => {
    // " ." decodes to the code points 32, 46; the clean-up removes the space, so one coefficient fewer.
    const ids = [fast.bpe.tokenToId('Ġ')!, fast.bpe.tokenToId('.')!];
    const on = fast.decode([ids], { horizon: 1, dim: 1 });
    expect(on.ok).toEqual([true]);
    expect(on.actions[0][0]).toBeCloseTo((46 - 354) / 10, 12);
    const off = new FastTokenizer(fast.bpe, { ...fast.config, cleanUpTokenizationSpaces: false });
    // With one time step the inverse DCT is the identity up to rounding: scipy (and so this package)
    // multiplies by sqrt(2) and then by 1/sqrt(2), each rounded, so -32.2 comes back as -32.20000000000001.
    const [a, b] = off.decode([ids], { horizon: 1, dim: 2 }).actions[0];
    expect(a).toBeCloseTo((32 - 354) / 10, 12);
    expect(b).toBeCloseTo((46 - 354) / 10, 12);
  });
});
