import {
  computeNormStats,
  type FastTokenizer,
  fitFastTokenizer,
  type NormStats,
  normalize,
  unnormalize,
} from '@roboalign/fast-tokenizer';
import { chunkEpisodes, generateEpisode, mulberry32 } from './trajectories.js';

/** Options of {@link runFastDemo}. */
export interface DemoOptions {
  episodes: number;
  stepsPerEpisode: number;
  hz: number;
  /** Chunk length in steps (1 second by default: equal to hz). */
  horizon: number;
  scale: number;
  vocabSize: number;
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
  /** Root-mean-square reconstruction error in normalized units. */
  rmseNormalized: number;
  /** Root-mean-square reconstruction error in action units. */
  rmse: number;
  maxAbsError: number;
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
  naive: Pick<TokenizerReport, 'rmseNormalized' | 'rmse' | 'naiveTokens'>;
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
  let sqNorm = 0;
  let sq = 0;
  let maxAbs = 0;
  let failures = 0;
  let count = 0;
  normalized.forEach((chunk, i) => {
    const ids = tokenizer.encode({ data: chunk, horizon, dim }, i);
    tokens += ids.length;
    maxTokens = Math.max(maxTokens, ids.length);
    const decoded = tokenizer.decode([ids], { horizon, dim });
    failures += decoded.failures.length;
    const back = unnormalize(decoded.actions[0], stats);
    for (let j = 0; j < chunk.length; j++) {
      sqNorm += (decoded.actions[0][j] - chunk[j]) ** 2;
      const err = back[j] - raw[i][j];
      sq += err * err;
      maxAbs = Math.max(maxAbs, Math.abs(err));
      count++;
    }
  });
  return {
    name,
    chunks: normalized.length,
    meanTokens: tokens / normalized.length,
    maxTokens,
    naiveTokens: horizon * dim,
    rmseNormalized: Math.sqrt(sqNorm / count),
    rmse: Math.sqrt(sq / count),
    maxAbsError: maxAbs,
    decodeFailures: failures,
  };
}

function naiveBinning({ raw, normalized }: HeldOut, stats: NormStats) {
  const bins = 256;
  let sqNorm = 0;
  let sq = 0;
  let count = 0;
  normalized.forEach((chunk, i) => {
    const q = chunk.map((v) => {
      const b = Math.min(bins - 1, Math.max(0, Math.floor(((v + 1) / 2) * bins)));
      return ((b + 0.5) / bins) * 2 - 1;
    });
    const back = unnormalize(q, stats);
    for (let j = 0; j < chunk.length; j++) {
      sqNorm += (q[j] - chunk[j]) ** 2;
      sq += (back[j] - raw[i][j]) ** 2;
      count++;
    }
  });
  return { rmseNormalized: Math.sqrt(sqNorm / count), rmse: Math.sqrt(sq / count) };
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
  const trainRaw = chunkEpisodes(trainEpisodes, DIM, options.horizon);
  const testRaw = chunkEpisodes(testEpisodes, DIM, options.horizon);
  const started = performance.now();
  const tokenizer = fitFastTokenizer(
    norm(trainRaw).map((data) => ({ data, horizon: options.horizon, dim: DIM })),
    {
      scale: options.scale,
      vocabSize: options.vocabSize,
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
    naive: { ...naiveBinning(heldOut, stats), naiveTokens: options.horizon * DIM },
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
