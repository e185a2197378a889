/**
 * Training-step benchmarks with fixed output lines, so figures compare over time:
 *   {"name": "block-train-step", "msPerStep": …}     one pre-norm transformer block, batch 8 × seq 64 × width 256,
 *                                                    4 heads, GELU MLP 4×, loss = mean of squared outputs
 *   {"name": "decoder4-train-step", "msPerStep": …}  token + learned position embeddings, 4 blocks, final LayerNorm,
 *                                                    untied 512-token head, next-token cross-entropy on 8 × 64
 * Each step is forward + backward (ONNX Runtime, 2 intra-op threads) + AdamW (TypeScript), after warm-up.
 *
 *   pnpm --filter @roboalign/onnx-train bench
 */
import { cpus } from 'node:os';
import { Graph, type Value } from '../src/graph.js';
import { embedding, layerNorm, learnedPositions, linear, transformerBlock } from '../src/layers.js';
import * as op from '../src/ops.js';
import { AdamW } from '../src/optim.js';
import type { Feed } from '../src/runtime.js';
import { compileTraining, initialValues } from '../src/training.js';

const B = 8;
const T = 64;
const D = 256;
const H = 4;
const V = 512;
const session = { intraOpThreads: 2 };

async function time(name: string, g: Graph, loss: Value, feeds: Record<string, Feed>, steps: number) {
  const compileStart = performance.now();
  const program = await compileTraining(g, loss, { session });
  const compileMs = performance.now() - compileStart;
  const params = initialValues(g);
  const opt = new AdamW({ lr: 1e-4 });
  for (let i = 0; i < 3; i++) opt.step(params, (await program.step(feeds, params)).grads);
  let peak = process.memoryUsage().rss;
  let first = 0;
  let last = 0;
  let optimizerMs = 0;
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const { loss: l, grads } = await program.step(feeds, params);
    const t = performance.now();
    opt.step(params, grads);
    optimizerMs += performance.now() - t;
    if (i === 0) first = l;
    last = l;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const msPerStep = (performance.now() - start) / steps;
  const parameters = [...params.values()].reduce((n, p) => n + p.length, 0);
  console.log(
    JSON.stringify({
      name,
      msPerStep: Number(msPerStep.toFixed(2)),
      msOptimizer: Number((optimizerMs / steps).toFixed(2)),
      peakRssMb: Math.round(peak / 2 ** 20),
      parameters,
      compileMs: Math.round(compileMs),
      firstLoss: first,
      lastLoss: last,
    }),
  );
  await program.session.release();
}

console.error(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ONNX Runtime CPU, 2 intra-op threads`,
);

{
  const g = new Graph();
  const x = g.input('x', [B, T, D]);
  const y = transformerBlock(g, x, 'block', { heads: H, causal: true });
  const loss = op.reduceMean(op.mul(y, y), [0, 1, 2]);
  const data = Float32Array.from({ length: B * T * D }, (_, i) => Math.sin(i * 0.37));
  await time('block-train-step', g, loss, { x: { data, shape: [B, T, D], dtype: 'float32' } }, 20);
}

{
  const g = new Graph();
  const ids = g.input('ids', [B, T], 'int64');
  const targets = g.input('targets', [B, T, V]); // one-hot next tokens
  let h = learnedPositions(g, embedding(g, ids, 'tok', V, D), 'pos');
  for (let i = 0; i < 4; i++) h = transformerBlock(g, h, `blocks.${i}`, { heads: H, causal: true });
  const logits = linear(g, layerNorm(g, h, 'ln_f'), 'head', V, { bias: false });
  const loss = op.neg(op.reduceMean(op.reduceSum(op.mul(op.logSoftmax(logits), targets), [2]), [0, 1]));
  const tokens = Array.from({ length: B * (T + 1) }, (_, i) => (i * 7 + (i >> 3)) % V);
  const idData = BigInt64Array.from({ length: B * T }, (_, i) => BigInt(tokens[i + Math.floor(i / T)]));
  const oneHot = new Float32Array(B * T * V);
  for (let i = 0; i < B * T; i++) oneHot[i * V + tokens[i + Math.floor(i / T) + 1]] = 1;
  await time(
    'decoder4-train-step',
    g,
    loss,
    {
      ids: { data: idData, shape: [B, T], dtype: 'int64' },
      targets: { data: oneHot, shape: [B, T, V], dtype: 'float32' },
    },
    10,
  );
}
