import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords, trainBpe } from '../src/bpe/bpe-trainer.js';
import { preTokenize } from '../src/bpe/pretokenize.js';
import { dct } from '../src/dct.js';
import { roundHalfEven } from '../src/round-half-even.js';
import { byteLevel, rustTrain } from './helpers/oracle.js';
import { mulberry32, smoothChunk } from './helpers/random.js';

const words = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('trainBpe by hand', () => {
  it('reproduces the Rust unit test (roses are red …, min_frequency 2)', () => {
    const result = trainBpe(
      words({
        roses: 1,
        are: 2,
        red: 1,
        voilets: 1,
        blue: 1,
        BERT: 1,
        is: 2,
        big: 1,
        and: 1,
        so: 1,
        'GPT-2': 1,
      }),
      { vocabSize: 30000, minFrequency: 2 },
    );
    expect(result.merges).toEqual([
      ['r', 'e'],
      ['a', 're'],
      ['i', 's'],
    ]);
    expect(result.vocab.get('-')).toBe(0);
    expect(result.vocab.get('v')).toBe(21);
    expect(result.vocab.get('is')).toBe(24);
    expect(result.mergeCounts).toEqual([3, 2, 2]);
  });

  it('breaks ties by the smaller pair of ids (alphabet in code-point order)', () => {
    // "ab" and "cd" both occur twice; (a, b) has the smaller ids.
    expect(trainBpe(words({ cd: 2, ab: 2 }), { vocabSize: 5 }).merges).toEqual([['a', 'b']]);
    expect(trainBpe(words({ cd: 3, ab: 2 }), { vocabSize: 5 }).merges).toEqual([['c', 'd']]);
  });

  it('merges overlapping pairs left to right ("aaaa" → "aa aa" → "aaaa")', () => {
    const r = trainBpe(words({ aaaa: 1 }), { vocabSize: 10 });
    expect(r.merges).toEqual([
      ['a', 'a'],
      ['aa', 'aa'],
    ]);
    expect(r.mergeCounts).toEqual([3, 1]); // (a, a) occurs 3 times before merging
  });

  it('stops at the vocabulary size, counting special tokens and the alphabet', () => {
    const r = trainBpe(words({ abcd: 5 }), { vocabSize: 7, specialTokens: ['<s>', '</s>'] });
    expect([...r.vocab.keys()]).toEqual(['<s>', '</s>', 'a', 'b', 'c', 'd', 'ab']);
  });

  it('respects min_frequency and max_token_length', () => {
    expect(trainBpe(words({ ab: 1, cd: 2 }), { vocabSize: 100, minFrequency: 2 }).merges).toEqual([
      ['c', 'd'],
    ]);
    // Pairs of length 3 or more are never formed (Rust requires combined length < max).
    const r = trainBpe(words({ abcabc: 4 }), { vocabSize: 100, maxTokenLength: 3 });
    expect(r.merges.every(([x, y]) => (x + y).length < 3)).toBe(true);
  });

  it('keeps the initial alphabet (first) and limits the alphabet to the most frequent characters', () => {
    const r = trainBpe(words({ ab: 3, c: 1 }), { vocabSize: 10, initialAlphabet: ['z'], limitAlphabet: 3 });
    expect([...r.vocab.keys()].slice(0, 3)).toEqual(['a', 'b', 'z']);
  });

  it('reuses the id of a token reached by two merge paths', () => {
    // "abc" forms from (ab, c) in one word and (a, bc) in another.
    const r = trainBpe(words({ abx: 9, bcy: 8, abc: 1, xabc: 1 }), { vocabSize: 100 });
    const abc = r.merges.filter(([x, y]) => x + y === 'abc');
    expect(abc.length).toBeGreaterThanOrEqual(1);
    expect(new Set([...r.vocab.values()]).size).toBe(r.vocab.size);
  });

  it('validates options with clear errors', () => {
    expect(() => trainBpe(words({ a: 1 }), { vocabSize: 0 })).toThrow(/vocabSize must be a positive integer/);
    expect(() => trainBpe(words({ a: 1 }), { vocabSize: 5, initialAlphabet: ['ab'] })).toThrow(
      /initialAlphabet\[0\] must be exactly one code point/,
    );
    expect(() => trainBpe(words({ a: 0 }), { vocabSize: 5 })).toThrow(
      /count of word "a" must be a positive integer/,
    );
  });

  it('gives merges of a smaller vocabulary as a prefix of a larger one (greedy)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 8 }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 4, max: 20 }),
        (ws, size) => {
          const counts = countWords(ws);
          const small = trainBpe(counts, { vocabSize: size }).merges;
          const large = trainBpe(counts, { vocabSize: 1000 }).merges;
          expect(large.slice(0, small.length)).toEqual(small);
        },
      ),
    );
  });
});

/** FAST code-point strings as the reference fit() builds them: offset by the data's smallest coefficient. */
function fastStrings(seed: number, count: number): string[] {
  const rand = mulberry32(seed);
  const quantized = Array.from({ length: count }, () => {
    const [T, D] = rand() < 0.5 ? [10, 7] : [5, 3];
    return Array.from(dct(smoothChunk(rand, T, D), T, D), (c) => roundHalfEven(c * 10));
  });
  const min = Math.min(...quantized.flat());
  return quantized.map((q) => String.fromCodePoint(...q.map((v) => v - min)));
}

/** FAST strings of 10 × 7 smooth chunks only. */
function fastStrings10x7(seed: number, count: number): string[] {
  const rand = mulberry32(seed);
  const quantized = Array.from({ length: count }, () =>
    Array.from(dct(smoothChunk(rand, 10, 7), 10, 7), (c) => roundHalfEven(c * 10)),
  );
  let min = Number.POSITIVE_INFINITY;
  for (const q of quantized) for (const v of q) min = Math.min(min, v);
  return quantized.map((q) => String.fromCodePoint(...q.map((v) => v - min)));
}

function englishLike(seed: number, count: number): string[] {
  const rand = mulberry32(seed);
  const vocab = [
    'the',
    'robot',
    'picks',
    'up',
    'red',
    'block',
    "it's",
    'placing',
    'in',
    'bowl',
    'and',
    'then',
    '42',
    'drawer',
    '!',
  ];
  return Array.from({ length: count }, () =>
    Array.from({ length: 3 + Math.floor(rand() * 12) }, () => vocab[Math.floor(rand() * vocab.length)]).join(
      ' ',
    ),
  );
}

function manyTies(seed: number, count: number): string[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 12) }, () => 'abcd'[Math.floor(rand() * 4)]).join(''),
  );
}

/** The Rust trainer reads its file line by line, splitting at "\n" only. */
const isOneLine = (s: string) => !s.includes('\n');

describe('trainBpe against the Rust BpeTrainer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bpe-trainer-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const rustTrainIn = (name: string, lines: string[]) => rustTrain(dir, name, lines);

  /** The same sequences for our trainer: the Rust file reader keeps each line's "\n". */
  function ourWords(lines: string[]) {
    const counts = new Map<string, number>();
    for (const line of lines) countWords(preTokenize(`${line}\n`).map(byteLevel), counts);
    return counts;
  }

  it.each([
    ['FAST strings', () => fastStrings(1, 1500)],
    // Many chunks of one distribution: long merge chains where tokens are reached by several merge paths
    // and the same pair is queued more than once (the Rust queue's per-entry word sets matter here).
    ['4,000 FAST strings of 10 × 7 chunks', () => fastStrings10x7(11, 4000)],
    ['English-like text', () => englishLike(2, 1500)],
    ['strings full of ties', () => manyTies(3, 2000)],
  ])(
    'learns identical vocabulary and merges on %s',
    async (name, make) => {
      const lines = make().filter(isOneLine);
      const rust = await rustTrainIn(name.replace(/\W/g, '-'), lines);
      const ours = trainBpe(ourWords(lines), { vocabSize: 30000 });
      expect(rust.merges.length).toBeGreaterThan(10);
      expect(ours.merges).toEqual(rust.merges);
      expect(Object.fromEntries(ours.vocab)).toEqual(rust.vocab);
    },
    30_000,
  );

  it("keeps Rust's merges under the FAST recipe (raw code-point initial alphabet, min_frequency 2)", async () => {
    // Ids of seen characters keep their relative order when unseen alphabet characters are added
    // (the alphabet is sorted by code point), so tie-breaking and hence the merges are unchanged;
    // min_frequency 2 only stops earlier.
    const lines = fastStrings(4, 1500).filter(isOneLine);
    const rust = await rustTrainIn('fast-recipe', lines);
    const maxCp = Math.max(...lines.flatMap((l) => Array.from(l, (c) => c.codePointAt(0)!)));
    const ours = trainBpe(ourWords(lines), {
      vocabSize: 30000,
      minFrequency: 2,
      maxTokenLength: 10000,
      initialAlphabet: Array.from({ length: maxCp + 1 }, (_, i) => String.fromCodePoint(i)),
    });
    expect(ours.merges.length).toBeGreaterThan(100);
    expect(rust.merges.slice(0, ours.merges.length)).toEqual(ours.merges);
    expect(ours.mergeCounts.every((c) => c >= 2)).toBe(true);
  }, 30_000);
});
