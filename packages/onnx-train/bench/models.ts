/**
 * The two benchmark models, shared by the timing bench and the profiler so both measure the same graphs.
 */
import { Graph, type Value } from '../src/graph.js';
import { embedding, layerNorm, learnedPositions, linear, transformerBlock } from '../src/layers.js';
import * as op from '../src/ops.js';
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
