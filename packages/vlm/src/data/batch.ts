import type { Feed } from '@roboalign/onnx-train';
import { tokensPerImage, type VlmConfig } from '../config.js';
import { VlmError } from '../errors.js';
import { MASKED } from '../model/layers.js';
import type { RgbImage } from './conversation.js';

/** A row to score: its ids, images, prefix length and the tokens whose log-probs are wanted. */
export interface ScoreRow {
  ids: ArrayLike<number>;
  images: readonly RgbImage[];
  prefixLength: number;
  /** Positions `t ≥ 1` of the tokens scored (predicted from position `t − 1`). */
  targets: readonly number[];
  /** Weight of each target in the loss `Σ weight · log p`. */
  weights: readonly number[];
}

/** `n` rounded up to a multiple of `step`: fewer distinct shapes, so fewer compiled graphs. */
export const bucket = (n: number, step: number) => Math.max(step, Math.ceil(n / step) * step);

const int64 = (values: ArrayLike<number>) => BigInt64Array.from(Array.from(values), (v) => BigInt(v));

/** Pixels as floats in [−1, 1], `[3, H, W]`, written at `offset`. */
export function writePixels(out: Float32Array, offset: number, image: RgbImage): void {
  const plane = image.width * image.height;
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++) out[offset + c * plane + p] = image.data[p * 3 + c] / 127.5 - 1;
}

/** Shared sequence inputs for rows placed at column `offsets[b]` of a `[batch, length]` grid. */
function sequenceFeeds(
  config: VlmConfig,
  rows: ReadonlyArray<{ ids: ArrayLike<number>; images: readonly RgbImage[] }>,
  length: number,
  offsets: readonly number[],
  imageTokenId: number,
  padId: number,
): { feeds: Record<string, Feed>; mask: Uint8Array } {
  const batch = rows.length;
  const patches = tokensPerImage(config);
  const slots = config.maxImages * patches;
  const plane = 3 * config.imageSize ** 2;
  const ids = new BigInt64Array(batch * length).fill(BigInt(padId));
  const positions = new BigInt64Array(batch * length);
  const placement = new Float32Array(batch * length * slots);
  const pixels = new Float32Array(batch * config.maxImages * plane);
  const mask = new Uint8Array(batch * length);
  rows.forEach((row, b) => {
    if (row.ids.length + offsets[b] > length)
      throw new VlmError(
        `row ${b} has ${row.ids.length} tokens, more than the batch length ${length - offsets[b]}`,
      );
    let patch = 0;
    for (let i = 0; i < row.ids.length; i++) {
      const id = row.ids[i];
      if (!(Number.isInteger(id) && id >= 0 && id < config.vocabSize))
        throw new VlmError(
          `row ${b}: token id ${id} at position ${i} is outside the vocabulary of ${config.vocabSize}`,
        );
      const s = offsets[b] + i;
      ids[b * length + s] = BigInt(row.ids[i]);
      positions[b * length + s] = BigInt(i);
      mask[b * length + s] = 1;
      // Placeholders take the images' patches in order; an <|image_pad|> the model wrote in an answer,
      // after every image, is an ordinary token.
      if (id === imageTokenId && patch < row.images.length * patches)
        placement[(b * length + s) * slots + patch++] = 1;
    }
    if (patch < row.images.length * patches)
      throw new VlmError(
        `row ${b} has ${patch} image placeholders for ${row.images.length} images of ${patches} patches`,
      );
    row.images.forEach((image, i) => {
      writePixels(pixels, (b * config.maxImages + i) * plane, image);
    });
  });
  const s = config.imageSize;
  return {
    mask,
    feeds: {
      input_ids: { data: ids, shape: [batch, length], dtype: 'int64' },
      position_ids: { data: positions, shape: [batch, length], dtype: 'int64' },
      image_placement: { data: placement, shape: [batch, length, slots], dtype: 'float32' },
      pixel_values: { data: pixels, shape: [batch, config.maxImages, 3, s, s], dtype: 'float32' },
    },
  };
}

/**
 * Feeds of the token-score graph (right-padded rows, prefix-LM bias). Key `j` is visible to query `i`
 * when it is a real token and either in the row's prefix (bidirectional) or not after `i` (causal).
 */
export function scoreFeeds(
  config: VlmConfig,
  rows: readonly ScoreRow[],
  shape: { length: number; targets: number },
  options: { imageTokenId: number; padId: number; logitScale?: number },
): Record<string, Feed> {
  const { length, targets } = shape;
  const batch = rows.length;
  const { feeds } = sequenceFeeds(
    config,
    rows,
    length,
    new Array(batch).fill(0),
    options.imageTokenId,
    options.padId,
  );
  const bias = new Float32Array(batch * length * length).fill(MASKED);
  const positions = new BigInt64Array(targets);
  const index = new BigInt64Array(targets);
  const weights = new Float32Array(targets);
  let n = 0;
  rows.forEach((row, b) => {
    const len = row.ids.length;
    for (let i = 0; i < length; i++) {
      const base = (b * length + i) * length;
      for (let j = 0; j < len; j++) if (j < row.prefixLength || j <= i) bias[base + j] = 0;
    }
    row.targets.forEach((t, k) => {
      if (!(Number.isInteger(t) && t >= 1 && t < len))
        throw new VlmError(`row ${b}: target position ${t} is outside [1, ${len})`);
      if (n >= targets) throw new VlmError(`more than ${targets} targets in the batch`);
      positions[n] = BigInt(b * length + t - 1);
      index[n] = BigInt(n * config.vocabSize + row.ids[t]);
      weights[n] = row.weights[k];
      n++;
    });
  });
  return {
    ...feeds,
    attention_bias: { data: bias, shape: [batch, 1, length, length], dtype: 'float32' },
    target_positions: { data: positions, shape: [targets], dtype: 'int64' },
    target_index: { data: index, shape: [targets], dtype: 'int64' },
    token_weights: { data: weights, shape: [targets], dtype: 'float32' },
    logit_scale: { data: Float32Array.of(options.logitScale ?? 1), shape: [1], dtype: 'float32' },
  };
}

/**
 * Feeds of the prefill and features graphs: rows left-padded to `length`, so every row's last token is
 * in the last column; positions count real tokens only.
 */
export function prefixFeeds(
  config: VlmConfig,
  rows: ReadonlyArray<{ ids: ArrayLike<number>; images: readonly RgbImage[] }>,
  length: number,
  options: { imageTokenId: number; padId: number; align: 'left' | 'right' },
): { feeds: Record<string, Feed>; mask: Uint8Array; offsets: number[] } {
  const offsets = rows.map((r) => (options.align === 'left' ? length - r.ids.length : 0));
  const { feeds, mask } = sequenceFeeds(config, rows, length, offsets, options.imageTokenId, options.padId);
  return {
    mask,
    offsets,
    feeds: { ...feeds, attention_mask: { data: int64(mask), shape: [rows.length, length], dtype: 'int64' } },
  };
}
