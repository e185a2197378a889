import {
  add,
  cast,
  Graph,
  gather,
  gelu,
  logSoftmax,
  matMul,
  mul,
  reduceSum,
  reshape,
  rotaryAngles,
  slice,
  sub,
  transpose,
  transposeLast,
  type Value,
} from '@roboalign/onnx-train';
import { tokensPerImage, type VlmConfig } from '../config.js';
import { VlmError } from '../errors.js';
import {
  decoderLayer,
  type LayerOutput,
  layerNorm,
  linear,
  MASKED,
  ModelContext,
  rmsNorm,
  toFloat,
  visionLayer,
} from './layers.js';

/**
 * The model's graphs, each built for static shapes. All read the same Hugging Face–named parameters, fed
 * as inputs on every run, so one set of weights serves training, generation and features without
 * re-exporting anything after an optimizer step.
 *
 * Sequence layout: image placeholders and text share one sequence; `image_placement[b, s, k]` is 1 where
 * position `s` of row `b` holds patch `k` (image `k / tokensPerImage`), so a placeholder's embedding is its
 * projected patch and every other position's is its token's.
 */

type Values = ReadonlyMap<string, Float32Array>;

/** Patch embeddings with their 2-D positions: `[N, 3, H, W]` images → `[N, P, width]`. */
function patchTokens(ctx: ModelContext, images: Value): Value {
  const { imageSize, patchSize } = ctx.config;
  const count = images.shape[0];
  const side = imageSize / patchSize;
  const grid = reshape(images, [count, 3, side, patchSize, side, patchSize]);
  const flat = reshape(transpose(grid, [0, 2, 4, 1, 3, 5]), [count, side * side, 3 * patchSize ** 2]);
  return add(
    linear(ctx, flat, 'vision_tower.patch_embedding', true),
    ctx.param('vision_tower.position_embedding.weight'),
  );
}

/** The ViT's encoder layers and final LayerNorm over `[N, P, width]` patch tokens. */
function encodePatches(ctx: ModelContext, tokens: Value): Value {
  let x = tokens;
  for (let i = 0; i < ctx.config.vision.layers; i++)
    x = visionLayer(ctx, x, `vision_tower.encoder.layers.${i}`);
  return layerNorm(ctx, x, 'vision_tower.post_layernorm');
}

/** The ViT over each image, camera embedding and the MLP projector: `[B, I, 3, H, W]` → `[B, I·P, D]`. */
function visionTower(ctx: ModelContext, pixels: Value): Value {
  const { imageSize, maxImages } = ctx.config;
  const batch = pixels.shape[0];
  const patches = tokensPerImage(ctx.config);
  const width = ctx.config.vision.width;
  const tokens = patchTokens(ctx, reshape(pixels, [batch * maxImages, 3, imageSize, imageSize]));
  const camera = reshape(ctx.param('vision_tower.camera_embedding.weight'), [maxImages, 1, width]);
  let x = reshape(add(reshape(tokens, [batch, maxImages, patches, width]), camera), [
    batch * maxImages,
    patches,
    width,
  ]);
  x = encodePatches(ctx, x);
  x = gelu(linear(ctx, x, 'multi_modal_projector.linear_1', true), 'tanh');
  x = linear(ctx, x, 'multi_modal_projector.linear_2', true);
  return reshape(x, [batch, maxImages * patches, ctx.config.text.width]);
}

/** Name prefix of the patch classifier that {@link buildPatchLabelGraph} trains beside the vision tower. */
export const PATCH_CLASSIFIER = 'patch_classifier';

/**
 * Vision pretraining: the ViT (camera slot 0) over `pixel_values` `[B, 3, H, W]`, a linear classifier per
 * patch token, and `loss` = −Σ `patch_targets` · log-softmax / (B·P), the mean cross-entropy against the
 * per-patch class distributions `patch_targets` `[B·P, classes]`. Outputs `loss` and `patch_logits`.
 */
export function buildPatchLabelGraph(
  config: VlmConfig,
  values: Values,
  shape: { batch: number; classes: number },
): { graph: Graph; loss: Value; logits: Value } {
  const g = new Graph();
  const ctx = new ModelContext(g, config, values);
  const { batch, classes } = shape;
  const { imageSize } = config;
  const patches = tokensPerImage(config);
  const width = config.vision.width;
  const pixels = g.input('pixel_values', [batch, 3, imageSize, imageSize]);
  const targets = g.input('patch_targets', [batch * patches, classes]);
  const camera = reshape(slice(ctx.param('vision_tower.camera_embedding.weight'), 0, 0, 1), [1, 1, width]);
  const x = reshape(encodePatches(ctx, add(patchTokens(ctx, pixels), camera)), [batch * patches, width]);
  const classifierValue = (name: string) => {
    const v = values.get(`${PATCH_CLASSIFIER}.${name}`);
    if (v === undefined) throw new VlmError(`no parameter ${PATCH_CLASSIFIER}.${name}`);
    return v;
  };
  const weight = g.parameter(`${PATCH_CLASSIFIER}.weight`, [classes, width], classifierValue('weight'));
  const bias = g.parameter(`${PATCH_CLASSIFIER}.bias`, [classes], classifierValue('bias'));
  const logits = add(matMul(x, transposeLast(weight)), bias);
  const total = reduceSum(mul(logSoftmax(logits, -1), targets), [0, 1]);
  const loss = g.named(mul(total, g.scalar(-1 / (batch * patches), total)), 'loss');
  return { graph: g, loss, logits: g.named(reshape(logits, [batch, patches, classes]), 'patch_logits') };
}

/** Token embeddings, with each image placeholder replaced by its projected patch. */
function embedSequence(ctx: ModelContext, ids: Value, pixels: Value, placement: Value): Value {
  const text = gather(ctx.param('model.embed_tokens.weight'), ids);
  const image = matMul(placement, visionTower(ctx, pixels));
  const isImage = reduceSum(placement, [-1], true);
  return add(mul(text, sub(ctx.g.scalar(1, isImage), isImage)), image);
}

/** Logits of `[…, D]` hidden states: the transposed embedding (tied) or `lm_head`. */
function lmHead(ctx: ModelContext, h: Value): Value {
  const normed = rmsNorm(ctx, h, 'model.norm');
  if (!ctx.config.text.tieEmbeddings) return linear(ctx, normed, 'lm_head', false);
  return matMul(normed, transposeLast(ctx.param('model.embed_tokens.weight')));
}

/** Sequence inputs shared by the full-sequence graphs. */
interface SequenceInputs {
  ids: Value;
  pixels: Value;
  placement: Value;
  positions: Value;
}

function sequenceInputs(g: Graph, config: VlmConfig, batch: number, length: number): SequenceInputs {
  const imageTokens = config.maxImages * tokensPerImage(config);
  const s = config.imageSize;
  return {
    ids: g.input('input_ids', [batch, length], 'int64'),
    pixels: g.input('pixel_values', [batch, config.maxImages, 3, s, s]),
    placement: g.input('image_placement', [batch, length, imageTokens]),
    positions: g.input('position_ids', [batch, length], 'int64'),
  };
}

/** Runs `layers` decoder layers over a whole sequence with an additive `[B, 1, S, S]`-broadcastable bias. */
function decoderStack(
  ctx: ModelContext,
  inputs: SequenceInputs,
  bias: Value,
  layers: number,
): { hidden: Value; outputs: LayerOutput[] } {
  const t = ctx.config.text;
  const angles = rotaryAngles(ctx.g, toFloat(inputs.positions), t.width / t.heads, t.ropeTheta);
  let hidden = embedSequence(ctx, inputs.ids, inputs.pixels, inputs.placement);
  const outputs: LayerOutput[] = [];
  for (let i = 0; i < layers; i++) {
    const out = decoderLayer(ctx, hidden, i, { angles, bias });
    outputs.push(out);
    hidden = out.hidden;
  }
  return { hidden, outputs };
}

/** The graph that scores target tokens: training (SFT, GRPO) and teacher-forced log-probs. */
export interface TokenScoreGraph {
  graph: Graph;
  /** `Σ token_weights · log p(target)`: SFT sets weights −1/count, GRPO sets ∂loss/∂log-prob. */
  loss: Value;
  /** `[targets]` log-probs of the targets. */
  tokenLogprobs: Value;
}

/**
 * Teacher-forced scoring of `targets` tokens in a `[batch, length]` sequence. Inputs: the sequence inputs,
 * `attention_bias` `[B, 1, S, S]` (the prefix-LM mask, 0 or −1e9), `target_positions` (flat `b·S + s` of the
 * position whose logits predict each target), `target_index` (flat `n·V + token`), `token_weights` and
 * `logit_scale` (`1 / temperature`). Only the target rows reach the vocabulary projection.
 */
export function buildTokenScoreGraph(
  config: VlmConfig,
  values: Values,
  shape: { batch: number; length: number; targets: number },
): TokenScoreGraph {
  const g = new Graph();
  const ctx = new ModelContext(g, config, values);
  const { batch, length, targets } = shape;
  const inputs = sequenceInputs(g, config, batch, length);
  const bias = g.input('attention_bias', [batch, 1, length, length]);
  const positions = g.input('target_positions', [targets], 'int64');
  const index = g.input('target_index', [targets], 'int64');
  const weights = g.input('token_weights', [targets]);
  const scale = g.input('logit_scale', [1]);
  const { hidden } = decoderStack(ctx, inputs, bias, config.text.layers);
  const rows = gather(reshape(hidden, [batch * length, config.text.width]), positions);
  const logp = logSoftmax(mul(lmHead(ctx, rows), scale), -1);
  const tokenLogprobs = g.named(gather(reshape(logp, [targets * config.vocabSize]), index), 'token_logprobs');
  const loss = g.named(reduceSum(mul(tokenLogprobs, weights), [0]), 'loss');
  return { graph: g, loss, tokenLogprobs };
}

/** The prefill graph's outputs. */
export interface PrefillGraph {
  graph: Graph;
  /** `logits` `[B, V]` at the last position (prompts are left-padded, so it is every row's last token). */
  logits: Value;
  /** `present.{i}.key` / `present.{i}.value` `[B, heads, S, headDim]` per layer (keys rotated). */
  present: Value[];
}

function paddingBias(g: Graph, mask: Value): Value {
  const [batch, keys] = mask.shape;
  const m = toFloat(mask);
  return reshape(mul(sub(g.scalar(1, m), m), g.scalar(MASKED, m)), [batch, 1, 1, keys]);
}

/**
 * Prefill: the prompt (images and text) read once, bidirectionally among its real tokens (the prefix of
 * the prefix-LM mask). Inputs as Hugging Face names them: `input_ids`, `pixel_values`, `image_placement`,
 * `attention_mask` (int64, 1 for real tokens) and `position_ids`.
 */
export function buildPrefillGraph(
  config: VlmConfig,
  values: Values,
  shape: { batch: number; length: number },
): PrefillGraph {
  const g = new Graph();
  const ctx = new ModelContext(g, config, values);
  const inputs = sequenceInputs(g, config, shape.batch, shape.length);
  const mask = g.input('attention_mask', [shape.batch, shape.length], 'int64');
  const { hidden, outputs } = decoderStack(ctx, inputs, paddingBias(g, mask), config.text.layers);
  const last = reshape(slice(hidden, 1, shape.length - 1, shape.length), [shape.batch, config.text.width]);
  const logits = g.named(lmHead(ctx, last), 'logits');
  const present = outputs.flatMap((o, i) => [
    g.named(o.key, `present.${i}.key`),
    g.named(o.value, `present.${i}.value`),
  ]);
  return { graph: g, logits, present };
}

/**
 * The hidden states after `layer` decoder layers (Hugging Face's `hidden_states[layer]`; 0 is the
 * embeddings) over the prompt, `hidden_states` `[B, S, D]`. Inputs as in {@link buildPrefillGraph}.
 */
export function buildFeaturesGraph(
  config: VlmConfig,
  values: Values,
  shape: { batch: number; length: number; layer: number },
): { graph: Graph; hidden: Value } {
  const g = new Graph();
  const ctx = new ModelContext(g, config, values);
  const inputs = sequenceInputs(g, config, shape.batch, shape.length);
  const mask = g.input('attention_mask', [shape.batch, shape.length], 'int64');
  const { hidden } = decoderStack(ctx, inputs, paddingBias(g, mask), shape.layer);
  return { graph: g, hidden: g.named(hidden, 'hidden_states') };
}

/** The decode-step graph's outputs. */
export interface DecodeGraph {
  graph: Graph;
  logits: Value;
  present: Value[];
}

/**
 * One generation step with a key/value cache of `cacheLength` slots: `input_ids` `[B, 1]`,
 * `position_ids` `[B, 1]`, `attention_mask` `[B, M]` (1 for filled slots, this one included),
 * `cache_position` `[1]` (the slot written), and `past_key_values.{i}.key` / `.value` `[B, heads, M, headDim]`.
 * Outputs `logits` `[B, V]` and the updated `present.{i}.key` / `.value`.
 */
export function buildDecodeGraph(
  config: VlmConfig,
  values: Values,
  shape: { batch: number; cacheLength: number },
): DecodeGraph {
  const g = new Graph();
  const ctx = new ModelContext(g, config, values);
  const { batch, cacheLength } = shape;
  const t = config.text;
  const headDim = t.width / t.heads;
  const ids = g.input('input_ids', [batch, 1], 'int64');
  const positions = g.input('position_ids', [batch, 1], 'int64');
  const mask = g.input('attention_mask', [batch, cacheLength], 'int64');
  const slot = g.input('cache_position', [1], 'int64');
  const slots = g.int64s(Array.from({ length: cacheLength }, (_, i) => i));
  const isSlot = g.emit('equal', 'Equal', [slots, slot], [cacheLength], 'bool');
  const writeMask = reshape(cast(isSlot, 'float32'), [1, 1, cacheLength, 1]);
  const angles = rotaryAngles(g, toFloat(positions), headDim, t.ropeTheta);
  const bias = paddingBias(g, mask);
  let hidden = gather(ctx.param('model.embed_tokens.weight'), ids);
  const present: Value[] = [];
  for (let i = 0; i < t.layers; i++) {
    const cacheShape = [batch, t.heads, cacheLength, headDim];
    const cache = {
      key: g.input(`past_key_values.${i}.key`, cacheShape),
      value: g.input(`past_key_values.${i}.value`, cacheShape),
      writeMask,
    };
    const out = decoderLayer(ctx, hidden, i, { angles, bias, cache });
    present.push(g.named(out.key, `present.${i}.key`), g.named(out.value, `present.${i}.value`));
    hidden = out.hidden;
  }
  const logits = g.named(lmHead(ctx, reshape(hidden, [batch, t.width])), 'logits');
  return { graph: g, logits, present };
}
