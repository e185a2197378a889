import { countWords, trainBpe } from './bpe/bpe-trainer.js';
import { BYTE_TO_CHAR, byteLevelAlphabet } from './bpe/byte-alphabet.js';
import { ByteLevelBpe } from './bpe/byte-level-bpe.js';
import { preTokenize } from './bpe/pretokenize.js';
import { type ActionChunkInput, toActionChunk } from './chunk.js';
import { dct } from './dct.js';
import { FastTokenizerError } from './errors.js';
import { FastTokenizer } from './fast-tokenizer.js';
import { coefficientsToText } from './quantize.js';
import { roundHalfEven } from './round-half-even.js';

/**
 * The initial BPE alphabet:
 * - `'code-points'`: every code point `0 … max_token - min_token`, as the reference `fit()` does
 *   (most of them never occur after byte-level mapping, so they only take vocabulary slots);
 * - `'bytes'`: the 256 byte-level characters, as FAST+ was trained.
 */
export type FitAlphabet = 'code-points' | 'bytes';

/** Options of {@link fitFastTokenizer}; defaults follow the reference `UniversalActionProcessor.fit`. */
export interface FitOptions {
  /** DCT coefficient multiplier; default 10. */
  scale?: number;
  /** BPE vocabulary size; default 1024. */
  vocabSize?: number;
  /** Initial alphabet; default `'code-points'` (reference). */
  alphabet?: FitAlphabet;
  /** Offset of code point 0; default: the smallest quantized coefficient in the data (reference). */
  minToken?: number;
  /** Merges seen fewer times stop training; default 2 (reference). */
  minFrequency?: number;
  /** Longest token in characters; default 10000 (reference). */
  maxTokenLength?: number;
  /** Chunk length recorded in the config for decoding; default none. */
  timeHorizon?: number | null;
  /** Action dimension recorded in the config for decoding; default none. */
  actionDim?: number | null;
  /** Called as work progresses: `('dct', done, total)` over chunks, then `('merges', done, total)`. */
  onProgress?: (stage: 'dct' | 'merges', done: number, total: number) => void;
}

const utf8 = new TextEncoder();

function byteLevelPiece(piece: string): string {
  let out = '';
  for (const byte of utf8.encode(piece)) out += BYTE_TO_CHAR[byte];
  return out;
}

/**
 * Fits a FAST tokenizer on (normalized) action chunks: DCT, quantize, then train a byte-level BPE on the
 * code-point strings with the semantics of Hugging Face's `BpeTrainer`.
 */
export function fitFastTokenizer(
  chunks: readonly ActionChunkInput[],
  options: FitOptions = {},
): FastTokenizer {
  const scale = options.scale ?? 10;
  const vocabSize = options.vocabSize ?? 1024;
  const alphabet = options.alphabet ?? 'code-points';
  if (chunks.length === 0) throw new FastTokenizerError('fit needs at least one chunk');
  if (!Number.isFinite(scale) || scale <= 0)
    throw new FastTokenizerError(`scale must be positive, got ${scale}`);
  if (!Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new FastTokenizerError(`vocabSize must be a positive integer, got ${vocabSize}`);
  }
  const report = options.onProgress;
  const coefficients: Float64Array[] = [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  chunks.forEach((input, i) => {
    const { data, horizon, dim } = toActionChunk(input, i);
    const c = dct(data, horizon, dim);
    for (let j = 0; j < c.length; j++) {
      const q = roundHalfEven(c[j] * scale);
      if (q < min) min = q;
      if (q > max) max = q;
    }
    coefficients.push(c);
    if (report && (i % 256 === 0 || i === chunks.length - 1)) report('dct', i + 1, chunks.length);
  });
  const minToken = options.minToken ?? min;
  if (!Number.isInteger(minToken))
    throw new FastTokenizerError(`minToken must be an integer, got ${minToken}`);
  const range = max - minToken;
  if (alphabet === 'code-points' && range > vocabSize) {
    // The reference asserts the same: the raw alphabet alone would not fit the vocabulary.
    throw new FastTokenizerError(
      `vocabSize ${vocabSize} is too small for the range of quantized coefficients ${range} (${minToken} … ${max}); ` +
        'raise vocabSize or lower scale',
    );
  }
  const words = new Map<string, number>();
  coefficients.forEach((c, i) => {
    const text = coefficientsToText(c, scale, minToken, i);
    countWords(preTokenize(text).map(byteLevelPiece), words);
  });
  const initialAlphabet =
    alphabet === 'bytes'
      ? byteLevelAlphabet()
      : Array.from({ length: range + 1 }, (_, i) => String.fromCodePoint(i));
  const { vocab, merges } = trainBpe(words, {
    vocabSize,
    minFrequency: options.minFrequency ?? 2,
    maxTokenLength: options.maxTokenLength ?? 10000,
    initialAlphabet,
    onProgress: report ? (done, total) => report('merges', done, total) : undefined,
  });
  const bpe = ByteLevelBpe.fromVocabAndMerges(vocab, merges);
  return new FastTokenizer(bpe, {
    scale,
    minToken,
    vocabSize,
    timeHorizon: options.timeHorizon ?? null,
    actionDim: options.actionDim ?? null,
    cleanUpTokenizationSpaces: false, // the reference fit() saves clean_up_tokenization_spaces=False
  });
}
