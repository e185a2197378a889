import { chunkEpisodes } from '@roboalign/datasets';
import {
  computeNormStats,
  type FastTokenizer,
  type FitAlphabet,
  fitFastTokenizer,
  type NormStats,
  normalize,
  unnormalize,
} from '@roboalign/fast-tokenizer';
import { mulberry32 } from '@roboalign/utils';
import { generateEpisode } from './trajectories.js';

/** Options of {@link runFastDemo}. */
export interface DemoOptions {
  episodes: number;
  stepsPerEpisode: number;
  hz: number;
  /** Chunk length in steps (1 second by default: equal to hz). */
  horizon: number;
  scale: number;
  vocabSize: number;
  /** BPE initial alphabet: the reference recipe's raw code points, or FAST+'s 256 bytes. */
  alphabet: FitAlphabet;
  /** Fraction of episodes held out for evaluation. */
  heldOut: number;
  seed: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  episodes: 300,
  stepsPerEpisode: 200,
  hz: 10,
  horizon: 10,
  scale: 10,
  vocabSize: 1024,
  alphabet: 'code-points',
  heldOut: 0.2,
  seed: 0,
};

/** How one tokenizer does on the held-out chunks. */
export interface TokenizerReport {
  name: string;
  chunks: number;
  meanTokens: number;
  maxTokens: number;
  /** Tokens per chunk of naive per-value binning (one token per dimension per step). */
  naiveTokens: number;
  /** Root-mean-square reconstruction error in normalized units, all dimensions. */
  rmseNormalized: number;
  /** Largest absolute error in normalized units. */
  maxAbsErrorNormalized: number;
  /** RMSE of the position deltas (dims 0-2), millimetres. */
  rmsePositionMm: number;
  /** RMSE of the rotation deltas (dims 3-5), milliradians. */
  rmseRotationMrad: number;
  decodeFailures: number;
}

/** The demo's findings. */
export interface DemoReport {
  options: DemoOptions;
  trainChunks: number;
  fitSeconds: number;
  tokenizer: FastTokenizer;
  /** Statistics of the training actions used to normalize. */
  stats: NormStats;
  /** The held-out chunks, raw and normalized. */
  heldOut: HeldOut;
  fast: TokenizerReport;
  /** Naive 256-bin quantization of each normalized value (RT-2/OpenVLA style), for comparison. */
  naive: Pick<
    TokenizerReport,
    'rmseNormalized' | 'maxAbsErrorNormalized' | 'rmsePositionMm' | 'rmseRotationMrad' | 'naiveTokens'
  >;
}

const DIM = 7;

/** Held-out chunks, row-major `[horizon, dim]`, in action units and normalized. */
export interface HeldOut {
  raw: Float64Array[];
  normalized: Float64Array[];
}

/** Encodes and decodes normalized chunks with `tokenizer`, measuring tokens and error. */
export function evaluateTokenizer(
  name: string,
  tokenizer: FastTokenizer,
  { raw, normalized }: HeldOut,
  stats: NormStats,
  horizon: number,
  dim: number,
): TokenizerReport {
  let tokens = 0;
  let maxTokens = 0;
  let failures = 0;
  const errors = new ErrorStats();
  normalized.forEach((chunk, i) => {
    const ids = tokenizer.encode({ data: chunk, horizon, dim }, i);
    tokens += ids.length;
    maxTokens = Math.max(maxTokens, ids.length);
    const decoded = tokenizer.decode([ids], { horizon, dim });
    failures += decoded.failures.length;
    errors.add(decoded.actions[0], chunk, unnormalize(decoded.actions[0], stats), raw[i], dim);
  });
  return {
    name,
    chunks: normalized.length,
    meanTokens: tokens / normalized.length,
    maxTokens,
    naiveTokens: horizon * dim,
    ...errors.summary(),
    decodeFailures: failures,
  };
}

/** Accumulates reconstruction errors: all dims normalized, and position / rotation in physical units. */
class ErrorStats {
  private sqNorm = 0;
  private maxNorm = 0;
  private count = 0;
  private sqPos = 0;
  private sqRot = 0;
  private countPos = 0;

  add(
    decoded: ArrayLike<number>,
    target: ArrayLike<number>,
    decodedRaw: ArrayLike<number>,
    targetRaw: ArrayLike<number>,
    dim: number,
  ): void {
    for (let j = 0; j < target.length; j++) {
      const e = decoded[j] - target[j];
      this.sqNorm += e * e;
      this.maxNorm = Math.max(this.maxNorm, Math.abs(e));
      this.count++;
      const d = j % dim;
      const raw = decodedRaw[j] - targetRaw[j];
      if (d < 3) {
        this.sqPos += raw * raw;
        this.countPos++;
      } else if (d < 6) this.sqRot += raw * raw;
    }
  }

  summary() {
    return {
      rmseNormalized: Math.sqrt(this.sqNorm / this.count),
      maxAbsErrorNormalized: this.maxNorm,
      rmsePositionMm: 1000 * Math.sqrt(this.sqPos / this.countPos),
      rmseRotationMrad: 1000 * Math.sqrt(this.sqRot / this.countPos),
    };
  }
}

function naiveBinning({ raw, normalized }: HeldOut, stats: NormStats, dim: number) {
  const bins = 256;
  const errors = new ErrorStats();
  normalized.forEach((chunk, i) => {
    const q = chunk.map((v) => {
      const b = Math.min(bins - 1, Math.max(0, Math.floor(((v + 1) / 2) * bins)));
      return ((b + 0.5) / bins) * 2 - 1;
    });
    errors.add(q, chunk, unnormalize(q, stats), raw[i], dim);
  });
  return errors.summary();
}

/**
 * The project's main job on its built-in default: generate smooth robot trajectories, normalize them,
 * fit a FAST tokenizer, and measure it on held-out episodes against naive per-value binning.
 */
export function runFastDemo(options: DemoOptions = DEFAULT_DEMO_OPTIONS): DemoReport {
  const rand = mulberry32(options.seed);
  const episodes = Array.from({ length: options.episodes }, () =>
    generateEpisode(rand, { steps: options.stepsPerEpisode, hz: options.hz }),
  );
  const split = Math.max(1, Math.round(options.episodes * (1 - options.heldOut)));
  const trainEpisodes = episodes.slice(0, split);
  const testEpisodes = episodes.slice(split);
  const stats = computeNormStats(concat(trainEpisodes), DIM);
  const norm = (chunks: Float64Array[]) => chunks.map((c) => normalize(c, stats));
  // Non-overlapping one-second chunks; an episode's incomplete last second is dropped.
  const chunking = { horizon: options.horizon, stride: options.horizon };
  const trainRaw = chunkEpisodes(trainEpisodes, DIM, chunking);
  const testRaw = chunkEpisodes(testEpisodes, DIM, chunking);
  const started = performance.now();
  const tokenizer = fitFastTokenizer(
    norm(trainRaw).map((data) => ({ data, horizon: options.horizon, dim: DIM })),
    {
      scale: options.scale,
      vocabSize: options.vocabSize,
      alphabet: options.alphabet,
      timeHorizon: options.horizon,
      actionDim: DIM,
      onProgress: options.onProgress,
    },
  );
  const fitSeconds = (performance.now() - started) / 1000;
  const heldOut = { raw: testRaw, normalized: norm(testRaw) };
  return {
    options,
    trainChunks: trainRaw.length,
    fitSeconds,
    tokenizer,
    stats,
    heldOut,
    fast: evaluateTokenizer('FAST (fitted here)', tokenizer, heldOut, stats, options.horizon, DIM),
    naive: { ...naiveBinning(heldOut, stats, DIM), naiveTokens: options.horizon * DIM },
  };
}

function concat(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
