/**
 * The benchmark models, shared by the timing bench and the profiler so both measure the same graphs.
 */

import { mulberry32 } from '@roboalign/utils';
import { Graph, type Value } from '../src/graph.js';
import {
  embedding,
  gelu,
  layerNorm,
  learnedPositions,
  linear,
  patchEmbedding,
  rmsNorm,
  silu,
  transformerBlock,
} from '../src/layers.js';
import * as op from '../src/ops.js';
import { applyRotary, rotaryAngles } from '../src/rotary.js';
import type { Feed } from '../src/runtime.js';

export const B = 8;
export const T = 64;
export const D = 256;
export const H = 4;
export const V = 512;

/** A built benchmark model: the graph, its scalar loss, the feeds, and (decoder) the logits for inference. */
export interface BenchModel {
  graph: Graph;
  loss: Value;
  logits?: Value;
  feeds: Record<string, Feed>;
}

/** One pre-norm block, batch 8 × seq 64 × width 256, 4 heads, GELU MLP 4×, loss = mean of squared outputs. */
export function blockModel(): BenchModel {
  const graph = new Graph();
  const x = graph.input('x', [B, T, D]);
  const y = transformerBlock(graph, x, 'block', { heads: H, causal: true });
  const loss = op.reduceMean(op.mul(y, y), [0, 1, 2]);
  const data = Float32Array.from({ length: B * T * D }, (_, i) => Math.sin(i * 0.37));
  return { graph, loss, feeds: { x: { data, shape: [B, T, D], dtype: 'float32' } } };
}

/**
 * Token + learned position embeddings, 4 blocks, final LayerNorm, untied 512-token head, next-token
 * cross-entropy on 8 × 64 (targets fed as one-hot rows).
 */
export function decoderModel(): BenchModel {
  const graph = new Graph();
  const ids = graph.input('ids', [B, T], 'int64');
  const targets = graph.input('targets', [B, T, V]);
  let h = learnedPositions(graph, embedding(graph, ids, 'tok', V, D), 'pos');
  for (let i = 0; i < 4; i++) h = transformerBlock(graph, h, `blocks.${i}`, { heads: H, causal: true });
  const logits = linear(graph, layerNorm(graph, h, 'ln_f'), 'head', V, { bias: false });
  const loss = op.neg(op.reduceMean(op.reduceSum(op.mul(op.logSoftmax(logits), targets), [2]), [0, 1]));
  const tokens = Array.from({ length: B * (T + 1) }, (_, i) => (i * 7 + (i >> 3)) % V);
  const idData = BigInt64Array.from({ length: B * T }, (_, i) => BigInt(tokens[i + Math.floor(i / T)]));
  const oneHot = new Float32Array(B * T * V);
  for (let i = 0; i < B * T; i++) oneHot[i * V + tokens[i + Math.floor(i / T) + 1]] = 1;
  return {
    graph,
    loss,
    logits,
    feeds: {
      ids: { data: idData, shape: [B, T], dtype: 'int64' },
      targets: { data: oneHot, shape: [B, T, V], dtype: 'float32' },
    },
  };
}

/** The VLM step's shapes (the `tiny` VLM of `@roboalign/vlm`): batch 16, 176 tokens, vocabulary 3,200. */
export const VLM_SHAPE = {
  batch: 16,
  imageSize: 64,
  patch: 8,
  images: 2,
  textTokens: 48,
  answerTokens: 16,
  width: 128,
  heads: 4,
  layers: 4,
  swigluHidden: 352,
  visionLayers: 2,
  vocab: 3200,
} as const;

/**
 * A VLM-shaped training step built from this package's layers only: a 2-layer ViT over two 64×64 cameras
 * (64 patches each), a GELU projector, image tokens before 48 text tokens (176 in all), 4 decoder layers
 * with RMSNorm, rotary attention under an additive prefix-LM bias input `[B, 1, S, S]` and a SwiGLU MLP,
 * and cross-entropy over a 3,200-token head on the last 16 positions. It mirrors what `@roboalign/vlm`
 * pays per SFT step, so the engine's own suite shows it.
 */
export function vlmShapedModel(): BenchModel {
  const s = VLM_SHAPE;
  const g = new Graph();
  const perImage = (s.imageSize / s.patch) ** 2;
  const imageTokens = s.images * perImage;
  const length = imageTokens + s.textTokens;
  const headDim = s.width / s.heads;
  const pixels = g.input('pixels', [s.batch * s.images, 3, s.imageSize, s.imageSize]);
  const ids = g.input('ids', [s.batch, s.textTokens], 'int64');
  const bias = g.input('attention_bias', [s.batch, 1, length, length]);
  const targets = g.input('targets', [s.batch * s.answerTokens, s.vocab]);

  let vision = patchEmbedding(g, pixels, 'vision.patch', s.patch, s.width);
  for (let i = 0; i < s.visionLayers; i++)
    vision = transformerBlock(g, vision, `vision.${i}`, { heads: s.heads, geluApproximate: 'tanh' });
  vision = linear(
    g,
    gelu(linear(g, layerNorm(g, vision, 'vision.norm'), 'proj.1', s.width), 'tanh'),
    'proj.2',
    s.width,
  );
  const image = op.reshape(vision, [s.batch, imageTokens, s.width]);
  let h = op.concat([image, embedding(g, ids, 'tok', s.vocab, s.width)], 1);

  const positions = g.constant(
    Float32Array.from({ length: s.batch * length }, (_, i) => i % length),
    [s.batch, length],
    'float32',
  );
  const angles = rotaryAngles(g, positions, headDim);
  const heads = (x: Value) => op.transpose(op.reshape(x, [s.batch, length, s.heads, headDim]), [0, 2, 1, 3]);
  for (let i = 0; i < s.layers; i++) {
    const name = `layers.${i}`;
    const x = rmsNorm(g, h, `${name}.norm1`);
    const q = applyRotary(heads(linear(g, x, `${name}.q`, s.width, { bias: false })), angles);
    const k = applyRotary(heads(linear(g, x, `${name}.k`, s.width, { bias: false })), angles);
    const v = heads(linear(g, x, `${name}.v`, s.width, { bias: false }));
    const scores = op.add(op.div(op.matMul(q, op.transposeLast(k)), g.scalar(Math.sqrt(headDim), q)), bias);
    const attended = op.transpose(op.matMul(op.softmax(scores, -1), v), [0, 2, 1, 3]);
    h = op.add(
      h,
      linear(g, op.reshape(attended, [s.batch, length, s.width]), `${name}.o`, s.width, { bias: false }),
    );
    const m = rmsNorm(g, h, `${name}.norm2`);
    const gated = op.mul(
      silu(linear(g, m, `${name}.gate`, s.swigluHidden, { bias: false })),
      linear(g, m, `${name}.up`, s.swigluHidden, { bias: false }),
    );
    h = op.add(h, linear(g, gated, `${name}.down`, s.width, { bias: false }));
  }
  // Only the answer rows reach the vocabulary projection, as the VLM's score graph does.
  const answer = op.slice(h, 1, length - s.answerTokens, length);
  const rows = op.reshape(rmsNorm(g, answer, 'norm'), [s.batch * s.answerTokens, s.width]);
  const logits = linear(g, rows, 'head', s.vocab, { bias: false });
  const loss = op.neg(op.reduceMean(op.reduceSum(op.mul(op.logSoftmax(logits), targets), [1]), [0]));

  const rand = mulberry32(3);
  const maskValue = -1e9;
  const biasData = new Float32Array(s.batch * length * length);
  // Prefix-LM: the prompt (all but the answer) attends bidirectionally, the answer causally.
  const prefix = length - s.answerTokens;
  for (let b = 0; b < s.batch; b++)
    for (let i = 0; i < length; i++)
      for (let j = 0; j < length; j++)
        if (j >= prefix && j > i) biasData[(b * length + i) * length + j] = maskValue;
  const oneHot = new Float32Array(s.batch * s.answerTokens * s.vocab);
  for (let r = 0; r < s.batch * s.answerTokens; r++) oneHot[r * s.vocab + Math.floor(rand() * s.vocab)] = 1;
  return {
    graph: g,
    loss,
    feeds: {
      pixels: {
        data: Float32Array.from({ length: s.batch * s.images * 3 * s.imageSize ** 2 }, () => rand() * 2 - 1),
        shape: [s.batch * s.images, 3, s.imageSize, s.imageSize],
        dtype: 'float32',
      },
      ids: {
        data: BigInt64Array.from({ length: s.batch * s.textTokens }, () =>
          BigInt(Math.floor(rand() * s.vocab)),
        ),
        shape: [s.batch, s.textTokens],
        dtype: 'int64',
      },
      attention_bias: { data: biasData, shape: [s.batch, 1, length, length], dtype: 'float32' },
      targets: { data: oneHot, shape: [s.batch * s.answerTokens, s.vocab], dtype: 'float32' },
    },
  };
}
