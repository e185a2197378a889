import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  computeNormStats,
  type FastTokenizer,
  fitFastTokenizer,
  loadFastTokenizer,
  type NormStats,
  normalize,
  parseNormStats,
  saveFastTokenizer,
  unnormalize,
} from '@roboalign/fast-tokenizer';
import { writeJsonAtomic } from '@roboalign/utils';

/** The normalization file saved beside the FAST tokenizer's Hugging Face files. */
export const NORMALIZATION_FILE = 'action-normalization.json';

/** What `action-normalization.json` holds. */
export interface ActionNormalization {
  /** fast-tokenizer's `'quantile'` formula, with q01/q99 set to the action bounds (see {@link actionNormStats}). */
  readonly mode: 'quantile';
  readonly stats: NormStats;
  readonly horizon: number;
  readonly dim: number;
  /** How the tokenizer was fitted (seed, episodes, vocabulary size, …): equal configs reuse the folder. */
  readonly fit: Readonly<Record<string, unknown>>;
}

/**
 * Normalization statistics of the pool's actions for FAST: fast-tokenizer's `computeNormStats`, with the 1% and
 * 99% quantiles replaced by the action space's bounds, −1 and 1, so `normalize` (openpi's quantile formula)
 * maps every valid action into [−1, 1]. The pool's own quantiles do not work here: the expert turns its yaw
 * on under 2% of the steps, so that dimension's q01 = q99 = 0 and openpi's formula would multiply its rare
 * values by 10⁶.
 */
export function actionNormStats(actions: ArrayLike<number>, dim: number): NormStats {
  const stats = computeNormStats(actions, dim);
  return { ...stats, q01: stats.q01.map(() => -1), q99: stats.q99.map(() => 1) };
}

/**
 * The scripted expert's action chunks ↔ FAST ids: normalization (bounds, see {@link actionNormStats}), then
 * the fitted FAST tokenizer over `[horizon, dim]` chunks.
 */
export class ActionTokenizer {
  constructor(
    readonly fast: FastTokenizer,
    readonly stats: NormStats,
    readonly horizon: number,
    readonly dim: number,
  ) {}

  /** Ids per FAST vocabulary (the number of `<FAST_i>` tokens the VLM needs). */
  get fastVocabSize(): number {
    return this.fast.bpe.vocabSize;
  }

  /** FAST ids of a row-major `[horizon, dim]` chunk of raw actions. */
  encode(chunk: ArrayLike<number>): number[] {
    if (chunk.length !== this.horizon * this.dim)
      throw new RangeError(`expected a [${this.horizon}, ${this.dim}] chunk, got ${chunk.length} values`);
    const data = normalize(chunk, this.stats, 'quantile');
    return Array.from(this.fast.encode({ data, horizon: this.horizon, dim: this.dim }));
  }

  /** Raw actions of FAST ids; `ok` is false when the ids do not make a whole chunk. */
  decode(ids: ArrayLike<number>): { actions: Float64Array; ok: boolean } {
    const result = this.fast.decode([ids], { horizon: this.horizon, dim: this.dim });
    return { actions: unnormalize(result.actions[0], this.stats, 'quantile'), ok: result.ok[0] };
  }

  /**
   * The largest |decoded − original| an action of dimension `d` can have: each DCT coefficient is rounded by
   * at most 0.5 / scale, the orthonormal inverse DCT turns that into at most √horizon · 0.5 / scale per value,
   * and un-normalizing multiplies by half the normalization range.
   */
  errorBound(d: number): number {
    const range = this.stats.q99[d] - this.stats.q01[d] + 1e-6;
    return ((Math.sqrt(this.horizon) * 0.5) / this.fast.config.scale) * (range / 2);
  }

  /**
   * The bound on a chunk's root-mean-square error, normalized units times half the range: rounding moves each
   * of the horizon × dim coefficients by at most 0.5 / scale, and the orthonormal DCT keeps the norm.
   */
  rmsBound(): number {
    const widest = Math.max(...this.stats.q99.map((hi, d) => hi - this.stats.q01[d] + 1e-6));
    return (0.5 / this.fast.config.scale) * (widest / 2);
  }

  /** Saves the tokenizer (Hugging Face layout) and its normalization into `dir`. */
  async save(dir: string, fit: Readonly<Record<string, unknown>>): Promise<void> {
    await saveFastTokenizer(this.fast, dir);
    const normalization: ActionNormalization = {
      mode: 'quantile',
      stats: this.stats,
      horizon: this.horizon,
      dim: this.dim,
      fit,
    };
    await writeJsonAtomic(join(dir, NORMALIZATION_FILE), normalization);
  }
}

/** Loads a folder written by {@link ActionTokenizer.save}, with the fit config it records. */
export async function loadActionTokenizer(
  dir: string,
): Promise<{ tokenizer: ActionTokenizer; fit: Readonly<Record<string, unknown>> }> {
  const path = join(dir, NORMALIZATION_FILE);
  let saved: ActionNormalization;
  try {
    saved = JSON.parse(await readFile(path, 'utf8')) as ActionNormalization;
  } catch (error) {
    throw new Error(`${path}: cannot read the action normalization (${(error as Error).message})`, {
      cause: error,
    });
  }
  const stats = parseNormStats(saved.stats, `${dir}/${NORMALIZATION_FILE}`);
  const fast = await loadFastTokenizer(dir);
  return { tokenizer: new ActionTokenizer(fast, stats, saved.horizon, saved.dim), fit: saved.fit };
}

/** FAST fit settings. */
export interface FastFitSettings {
  readonly horizon: number;
  readonly vocabSize: number;
  readonly scale: number;
}

/**
 * Fits FAST on every `horizon`-step window of the pool's episodes (row-major `[steps, dim]` actions):
 * normalization from the pool, then fast-tokenizer's `fitFastTokenizer` with FAST+'s byte alphabet (every
 * chunk then encodes, including ones unlike the pool) and the lowest code point any bounded chunk can reach.
 */
export function fitOnChunks(
  chunks: readonly Float32Array[],
  allActions: ArrayLike<number>,
  dim: number,
  settings: FastFitSettings,
): ActionTokenizer {
  if (!Number.isInteger(settings.vocabSize) || settings.vocabSize < 256)
    throw new RangeError(
      `FAST vocabSize must be an integer >= 256 (the byte alphabet; 256 means no merges), got ${settings.vocabSize}`,
    );
  const stats = actionNormStats(allActions, dim);
  const normalized = chunks.map((c) => ({
    data: normalize(c, stats, 'quantile'),
    horizon: settings.horizon,
    dim,
  }));
  const fast = fitFastTokenizer(normalized, {
    vocabSize: settings.vocabSize,
    scale: settings.scale,
    alphabet: 'bytes',
    // |DCT coefficient| <= ||chunk||₂ <= √horizon for values in [−1, 1].
    minToken: -Math.ceil(Math.sqrt(settings.horizon) * settings.scale),
    timeHorizon: settings.horizon,
    actionDim: dim,
  });
  return new ActionTokenizer(fast, stats, settings.horizon, dim);
}
