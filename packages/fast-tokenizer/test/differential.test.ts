// Differential tests against Hugging Face's Rust `tokenizers` (npm `tokenizers`, a dev-only oracle):
// the same ids on more than 10,000 FAST chunks, adversarial strings and decodes.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Tokenizer } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteLevelBpe } from '../src/bpe/byte-level-bpe.js';
import { dct, idct } from '../src/dct.js';
import { fitFastTokenizer } from '../src/fit.js';
import { coefficientsToText } from '../src/quantize.js';
import { rustTrain } from './helpers/oracle.js';
import { gaussian, mulberry32, smoothChunk } from './helpers/random.js';
import { FAST_PLUS_DIR, sharedAvailable } from './helpers/shared.js';

type Gen = (rand: () => number, T: number, D: number) => Float64Array;

const generators: Record<string, Gen> = {
  smooth: smoothChunk,
  'random walk': (rand, T, D) => {
    const out = new Float64Array(T * D);
    for (let d = 0; d < D; d++) {
      let x = 2 * rand() - 1;
      for (let t = 0; t < T; t++) {
        x += 0.1 * gaussian(rand);
        out[t * D + d] = x;
      }
    }
    return out;
  },
  'wide range': (rand, T, D) => Float64Array.from({ length: T * D }, () => 30 * (2 * rand() - 1)),
  'near ties': (rand, T, D) => {
    // Coefficients at k + 0.5 quantization steps (± a few ulps after the round trip through the DCT).
    const c = Float64Array.from({ length: T * D }, () => (Math.floor(20 * (2 * rand() - 1)) + 0.5) / 10);
    return idct(c, T, D);
  },
  'gripper steps': (rand, T, D) => {
    const out = smoothChunk(rand, T, D);
    const at = Math.floor(rand() * T);
    for (let t = 0; t < T; t++) out[t * D + D - 1] = t < at ? -1 : 1;
    return out;
  },
};

const shapes: Array<[number, number]> = [
  [5, 7],
  [10, 7],
  [16, 14],
  [30, 26],
  [50, 32],
];

/** FAST strings of `count` chunks per generator and shape. */
function fastTexts(seed: number, count: number, scale: number, minToken: number): string[] {
  const rand = mulberry32(seed);
  const texts: string[] = [];
  for (const gen of Object.values(generators)) {
    for (const [T, D] of shapes) {
      for (let i = 0; i < count; i++) {
        try {
          texts.push(coefficientsToText(dct(gen(rand, T, D), T, D), scale, minToken));
        } catch {
          // 'wide range' can leave the Unicode range for large shapes: the encoder rejects those chunks.
        }
      }
    }
  }
  return texts;
}

/** Random strings built to stress the GPT-2 split: white space of every kind, contractions, scripts, astral. */
function adversarialTexts(seed: number, count: number): string[] {
  const rand = mulberry32(seed);
  const pool = [
    ...[
      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f,
      0x3000, 0xfeff,
    ],
    ...Array.from("'s't're've'm'll'd'S", (c) => c.codePointAt(0)!),
    ...Array.from('09٣५¼Ⅻ①aZéßЖא中ゑ한ًـ', (c) => c.codePointAt(0)!),
    ...[
      0x300, 0x301, 0x200d, 0xfe0f, 0x1f600, 0x10400, 0x1d7ce, 0x20000, 0xe0001, 0x10ffff, 0, 1, 0x7f, 0x80,
      0xff,
    ],
  ];
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const len = 1 + Math.floor(rand() * 40);
    const cps = Array.from({ length: len }, () =>
      rand() < 0.8 ? pool[Math.floor(rand() * pool.length)] : Math.floor(rand() * 0x3000),
    ).filter((cp) => cp < 0xd800 || cp > 0xdfff);
    texts.push(String.fromCodePoint(...cps));
  }
  return texts;
}

async function compareEncode(ours: ByteLevelBpe, rust: Tokenizer, texts: string[]): Promise<number> {
  const want = await rust.encodeBatch(texts);
  for (let i = 0; i < texts.length; i++) {
    const got = Array.from(ours.encode(texts[i]));
    const expected = want[i].getIds();
    if (got.length !== expected.length || got.some((id, j) => id !== expected[j])) {
      const cps = Array.from(texts[i], (c) => c.codePointAt(0)!.toString(16));
      expect.fail(`mismatch on text ${i} (code points ${cps.join(' ')}): ours ${got} vs Rust ${expected}`);
    }
  }
  return texts.length;
}

describe.skipIf(!sharedAvailable(FAST_PLUS_DIR, 'FAST+ tokenizer'))(
  'against Rust tokenizers on FAST+',
  () => {
    let ours: ByteLevelBpe;
    let rust: Tokenizer;
    beforeAll(() => {
      const path = resolve(FAST_PLUS_DIR, 'tokenizer.json');
      ours = ByteLevelBpe.fromTokenizerJson(JSON.parse(readFileSync(path, 'utf8')), path);
      rust = Tokenizer.fromFile(path);
    });

    it('encodes 10,000+ FAST chunks to identical ids', async () => {
      const texts = fastTexts(1, 410, 10, -354);
      expect(texts.length).toBeGreaterThanOrEqual(10000);
      expect(await compareEncode(ours, rust, texts)).toBe(texts.length);
    }, 60_000);

    it('encodes adversarial code-point strings to identical ids', async () => {
      await compareEncode(ours, rust, adversarialTexts(2, 3000));
    });

    it('decodes random id sequences, including unknown ids and invalid UTF-8, to identical text', async () => {
      const rand = mulberry32(3);
      for (let i = 0; i < 2000; i++) {
        const ids = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * 2100));
        expect(ours.decode(ids)).toBe(await rust.decode(ids, false));
      }
    });

    it('writes a tokenizer.json that the Rust library loads with identical ids', async () => {
      const copy = Tokenizer.fromString(JSON.stringify(ours.toTokenizerJson()));
      const texts = fastTexts(4, 10, 10, -354);
      const a = await copy.encodeBatch(texts);
      const b = await rust.encodeBatch(texts);
      for (let i = 0; i < texts.length; i++) expect(a[i].getIds()).toEqual(b[i].getIds());
    });
  },
);

describe('against Rust tokenizers on a vocabulary trained by the Rust library', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('agrees on ids with merges written as pairs and as "a b" strings, and on decodes', async () => {
    // Train with the Rust trainer on FAST strings of another offset, then load its tokenizer.json here.
    dir = await mkdtemp(join(tmpdir(), 'bpe-oracle-'));
    const train = fastTexts(5, 40, 10, -120).filter((t) => !/[\n\r]/u.test(t));
    const { json, path } = await rustTrain(dir, 'oracle', train);
    expect(json.model.merges.length).toBeGreaterThan(100);
    const rust = Tokenizer.fromFile(path);
    const fromPairs = ByteLevelBpe.fromTokenizerJson(json);
    const asStrings = structuredClone(json);
    asStrings.model.merges = json.model.merges.map((m: [string, string]) => m.join(' '));
    const fromStrings = ByteLevelBpe.fromTokenizerJson(asStrings);
    const texts = [...fastTexts(6, 20, 10, -120), ...adversarialTexts(7, 500)];
    await compareEncode(fromPairs, rust, texts);
    await compareEncode(fromStrings, rust, texts);
    const rand = mulberry32(8);
    for (let i = 0; i < 500; i++) {
      const ids = Array.from({ length: 1 + Math.floor(rand() * 20) }, () =>
        Math.floor(rand() * fromPairs.vocabSize * 1.1),
      );
      expect(fromPairs.decode(ids)).toBe(await rust.decode(ids, false));
    }
  }, 60_000);
});

describe('against Rust tokenizers on tokenizers fitted by this package', () => {
  it.each(['code-points', 'bytes'] as const)(
    'encodes 3,000 chunks to identical ids with a %s-alphabet fit',
    async (alphabet) => {
      const rand = mulberry32(alphabet === 'bytes' ? 11 : 12);
      const train = Array.from({ length: 600 }, () => ({
        data: smoothChunk(rand, 10, 7),
        horizon: 10,
        dim: 7,
      }));
      const fitted = fitFastTokenizer(train, { vocabSize: 800, alphabet });
      const rust = Tokenizer.fromString(JSON.stringify(fitted.bpe.toTokenizerJson()));
      const { scale, minToken } = fitted.config;
      // In-range chunks of the training distribution plus random walks that leave it.
      const texts = fastTexts(13, 120, scale, minToken);
      expect(texts.length).toBeGreaterThanOrEqual(3000);
      await compareEncode(fitted.bpe, rust, texts);
    },
    60_000,
  );
});
