import type { ByteLevelBpe } from './bpe/byte-level-bpe.js';
import { type ActionChunkInput, toActionChunk } from './chunk.js';
import { cleanUpTokenizationSpaces } from './clean-up-spaces.js';
import { dct, idct } from './dct.js';
import { FastTokenizerError } from './errors.js';
import { coefficientsToText, quantizeToCodePoints } from './quantize.js';

/** The numbers that turn DCT coefficients into code points and back (`processor_config.json`). */
export interface FastTokenizerConfig {
  /** Multiplier applied to DCT coefficients before rounding (FAST+ uses 10). */
  readonly scale: number;
  /** Offset subtracted before mapping to code points (FAST+ uses -354). */
  readonly minToken: number;
  /** Size of the BPE vocabulary. */
  readonly vocabSize: number;
  /** Default chunk length for decoding, when the config records one. */
  readonly timeHorizon: number | null;
  /** Default action dimension for decoding, when the config records one. */
  readonly actionDim: number | null;
  /** Apply `transformers`' `clean_up_tokenization` after BPE decoding, as the saved config asks. */
  readonly cleanUpTokenizationSpaces: boolean;
}

/**
 * What to do with a token sequence that does not decode to exactly `horizon × dim` coefficients
 * (or holds invalid ids):
 * - `'zeros'`: an all-zero chunk, as the Python reference does (it only prints a warning);
 * - `'pad'`: pad with zero coefficients or truncate to `horizon × dim`, as LeRobot does;
 * - `'throw'`: throw a {@link FastTokenizerError} naming the chunk.
 *
 * Whatever the policy, {@link DecodeResult} reports which chunks failed.
 */
export type DecodeFailurePolicy = 'zeros' | 'pad' | 'throw';

/** Options of {@link FastTokenizer.decode}. */
export interface DecodeOptions {
  /** Time steps per chunk; defaults to the config's `timeHorizon`. */
  horizon?: number;
  /** Action dimension; defaults to the config's `actionDim`. */
  dim?: number;
  /** Failure policy; default `'zeros'` (reference-compatible). */
  onError?: DecodeFailurePolicy;
}

/** A chunk that did not decode cleanly. */
export interface DecodeFailure {
  /** Index of the token sequence in the batch. */
  readonly index: number;
  /** What went wrong, e.g. `decoded 68 coefficients, expected 70 (10 × 7)`. */
  readonly reason: string;
}

/** Decoded chunks, one per token sequence, plus which of them failed. */
export interface DecodeResult {
  /** Row-major `[horizon, dim]` actions per sequence. */
  readonly actions: Float64Array[];
  /** `ok[i]` is false when sequence `i` failed (its actions then follow the policy). */
  readonly ok: boolean[];
  /** The failed sequences with reasons; empty when all decoded. */
  readonly failures: DecodeFailure[];
  readonly horizon: number;
  readonly dim: number;
}

/**
 * The FAST action tokenizer: DCT over time, scale and round, one code point per coefficient
 * (low frequencies first), then byte-level BPE. Token ids match the Hugging Face reference
 * (`physical-intelligence/fast`) exactly.
 *
 * @example
 * ```ts
 * import { loadFastTokenizer } from '@roboalign/fast-tokenizer';
 * const fast = await loadFastTokenizer('path/to/fast-plus');
 * const ids = fast.encode([[0.1, -0.2], [0.15, -0.1], [0.2, 0.0]]);
 * const { actions, ok } = fast.decode([ids], { horizon: 3, dim: 2 });
 * ```
 */
export class FastTokenizer {
  readonly bpe: ByteLevelBpe;
  readonly config: FastTokenizerConfig;

  constructor(bpe: ByteLevelBpe, config: FastTokenizerConfig) {
    if (!Number.isFinite(config.scale) || config.scale <= 0) {
      throw new FastTokenizerError(`scale must be a positive number, got ${config.scale}`);
    }
    if (!Number.isInteger(config.minToken)) {
      throw new FastTokenizerError(`minToken must be an integer, got ${config.minToken}`);
    }
    this.bpe = bpe;
    this.config = config;
  }

  /** The FAST code-point string of one chunk, before BPE. */
  toText(chunk: ActionChunkInput, index?: number): string {
    const { data, horizon, dim } = toActionChunk(chunk, index);
    return coefficientsToText(dct(data, horizon, dim), this.config.scale, this.config.minToken, index);
  }

  /** Encodes one `[T, D]` chunk (already normalized) into FAST token ids. */
  encode(chunk: ActionChunkInput, index?: number): Int32Array {
    const { data, horizon, dim } = toActionChunk(chunk, index);
    const { scale, minToken } = this.config;
    return this.bpe.encodeCodePoints(quantizeToCodePoints(dct(data, horizon, dim), scale, minToken, index));
  }

  /** Encodes a batch of chunks; an error names the chunk's index in the batch. */
  encodeBatch(chunks: readonly ActionChunkInput[]): Int32Array[] {
    return chunks.map((chunk, i) => this.encode(chunk, i));
  }

  /**
   * Decodes token sequences back into `[horizon, dim]` action chunks (BPE decode, code point + minToken,
   * divide by scale, inverse DCT). Failed sequences follow `options.onError` and are always reported.
   */
  decode(sequences: readonly ArrayLike<number>[], options: DecodeOptions = {}): DecodeResult {
    const horizon = options.horizon ?? this.config.timeHorizon;
    const dim = options.dim ?? this.config.actionDim;
    if (horizon == null || dim == null) {
      throw new FastTokenizerError(
        'decode needs the chunk shape: pass { horizon, dim } (the tokenizer config records none)',
      );
    }
    if (!Number.isInteger(horizon) || horizon < 1 || !Number.isInteger(dim) || dim < 1) {
      throw new FastTokenizerError(`horizon and dim must be positive integers, got [${horizon}, ${dim}]`);
    }
    const policy = options.onError ?? 'zeros';
    if (policy !== 'zeros' && policy !== 'pad' && policy !== 'throw') {
      throw new FastTokenizerError(`onError must be 'zeros', 'pad' or 'throw', got ${String(policy)}`);
    }
    const size = horizon * dim;
    const actions: Float64Array[] = [];
    const ok: boolean[] = [];
    const failures: DecodeFailure[] = [];
    const coefficients = new Float64Array(size);
    for (let i = 0; i < sequences.length; i++) {
      coefficients.fill(0);
      const reason = this.decodeCoefficients(sequences[i], coefficients, horizon, dim, policy === 'pad');
      if (reason !== null) {
        if (policy === 'throw') throw new FastTokenizerError(reason, i);
        failures.push({ index: i, reason });
      }
      ok.push(reason === null);
      actions.push(idct(coefficients, horizon, dim));
    }
    return { actions, ok, failures, horizon, dim };
  }

  /**
   * Fills `out` with the scaled coefficients of one sequence. Returns null on success, else why it failed;
   * on failure `out` stays zero unless `keepPartial` (pad or truncate).
   */
  private decodeCoefficients(
    ids: ArrayLike<number>,
    out: Float64Array,
    horizon: number,
    dim: number,
    keepPartial: boolean,
  ): string | null {
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      return `expected an array of token ids, got ${ids === null ? 'null' : typeof ids}`;
    }
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        return `id at position ${j} is ${String(id)}; ids must be non-negative integers`;
      }
    }
    let text = this.bpe.decode(ids);
    if (this.config.cleanUpTokenizationSpaces) text = cleanUpTokenizationSpaces(text);
    const { minToken, scale } = this.config;
    let n = 0;
    for (const ch of text) {
      if (n < out.length) out[n] = (ch.codePointAt(0)! + minToken) / scale;
      n++;
    }
    if (n === out.length) return null;
    if (!keepPartial) out.fill(0);
    return `decoded ${n} coefficients, expected ${out.length} (${horizon} × ${dim})`;
  }
}
