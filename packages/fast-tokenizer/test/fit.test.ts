import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dct } from '../src/dct.js';
import type { FastTokenizer } from '../src/fast-tokenizer.js';
import { fitFastTokenizer } from '../src/fit.js';
import { loadFastTokenizer, saveFastTokenizer } from '../src/io/hf-layout.js';
import { roundHalfEven } from '../src/round-half-even.js';
import { mulberry32, smoothChunk } from './helpers/random.js';

const T = 10;
const D = 7;
const rand = mulberry32(2024);
const train = Array.from({ length: 400 }, () => ({ data: smoothChunk(rand, T, D), horizon: T, dim: D }));
const heldOut = Array.from({ length: 50 }, () => ({ data: smoothChunk(rand, T, D), horizon: T, dim: D }));

describe('fitFastTokenizer', () => {
  let tok: FastTokenizer;
  let dir: string;
  beforeAll(async () => {
    tok = fitFastTokenizer(train, { vocabSize: 1024, timeHorizon: T, actionDim: D });
    dir = await mkdtemp(join(tmpdir(), 'fast-fit-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('derives min_token from the data, like the reference', () => {
    let min = Number.POSITIVE_INFINITY;
    for (const c of train) for (const v of dct(c.data, T, D)) min = Math.min(min, roundHalfEven(v * 10));
    expect(tok.config.minToken).toBe(min);
    expect(tok.config).toMatchObject({ scale: 10, vocabSize: 1024, timeHorizon: T, actionDim: D });
    expect(tok.config.cleanUpTokenizationSpaces).toBe(false);
  });

  it('fills the vocabulary and compresses chunks well below T × D tokens', () => {
    expect(tok.bpe.vocabSize).toBe(1024);
    const mean = heldOut.reduce((n, c) => n + tok.encode(c).length, 0) / heldOut.length;
    expect(mean).toBeLessThan((T * D) / 2);
  });

  it('round-trips held-out chunks within the quantization bound, decoding with the saved shape', () => {
    const ids = tok.encodeBatch(heldOut);
    const r = tok.decode(ids);
    expect(r.failures).toEqual([]);
    const bound = (Math.sqrt(T) * 0.5) / 10;
    r.actions.forEach((a, i) => {
      for (let j = 0; j < a.length; j++)
        expect(Math.abs(a[j] - heldOut[i].data[j])).toBeLessThanOrEqual(bound);
    });
  });

  it('saves a directory that loads here and in the Rust tokenizers library with the same ids', async () => {
    await saveFastTokenizer(tok, dir);
    const again = await loadFastTokenizer(dir);
    const rust = Tokenizer.fromFile(join(dir, 'tokenizer.json'));
    const processor = JSON.parse(await readFile(join(dir, 'processor_config.json'), 'utf8'));
    expect(processor).toMatchObject({
      scale: 10,
      min_token: tok.config.minToken,
      vocab_size: 1024,
      time_horizon: T,
      action_dim: D,
    });
    for (const c of heldOut) {
      const ids = tok.encode(c);
      expect(again.encode(c)).toEqual(ids);
      expect((await rust.encode(again.toText(c))).getIds()).toEqual(Array.from(ids));
    }
  });

  it('can train on the pure byte-level alphabet, as FAST+ was', () => {
    const bytes = fitFastTokenizer(train.slice(0, 100), { vocabSize: 400, alphabet: 'bytes' });
    expect(bytes.bpe.vocabSize).toBeLessThanOrEqual(400);
    expect(bytes.bpe.tokenToId('Ā')).toBeDefined();
    expect(bytes.decode([bytes.encode(heldOut[0])], { horizon: T, dim: D }).ok).toEqual([true]);
  });

  it('reports progress and rejects bad options', () => {
    const stages = new Set<string>();
    fitFastTokenizer(train.slice(0, 20), { vocabSize: 300, onProgress: (stage) => stages.add(stage) });
    expect([...stages]).toEqual(['dct', 'merges']);
    expect(() => fitFastTokenizer([], {})).toThrow(/at least one chunk/);
    expect(() => fitFastTokenizer(train, { vocabSize: 10 })).toThrow(/vocabSize 10 is too small/);
    expect(() => fitFastTokenizer([[[1], [Number.NaN]]])).toThrow(/chunk 0: value at \[1, 0\] is NaN/);
  });
});
