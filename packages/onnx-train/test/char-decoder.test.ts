import { describe, expect, it } from 'vitest';
import { Graph } from '../src/graph.js';
import { embedding, layerNorm, learnedPositions, linear, transformerBlock } from '../src/layers.js';
import { toOnnx } from '../src/onnx-export.js';
import * as op from '../src/ops.js';
import { AdamW } from '../src/optim.js';
import { createSession } from '../src/runtime.js';
import { compileTraining, initialValues } from '../src/training.js';

const corpus = 'the robot picks up the red block and puts it in the bowl. ';
const chars = [...new Set(corpus)].sort();
const V = chars.length;
const T = 16;
const B = 8;

/** B windows of T characters and their next characters as one-hot targets. */
function batch(offset: number) {
  const text = corpus.repeat(4);
  const ids = new BigInt64Array(B * T);
  const targets = new Float32Array(B * T * V);
  const next: number[] = [];
  for (let b = 0; b < B; b++) {
    const start = (offset + b * 7) % corpus.length;
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = BigInt(chars.indexOf(text[start + t]));
      const n = chars.indexOf(text[start + t + 1]);
      targets[(b * T + t) * V + n] = 1;
      next.push(n);
    }
  }
  return { ids, targets, next };
}

describe('a tiny character-level decoder', () => {
  it('learns a small corpus: cross-entropy falls and greedy next-character accuracy exceeds 95%', async () => {
    const g = new Graph();
    const ids = g.input('ids', [B, T], 'int64');
    const targets = g.input('targets', [B, T, V]);
    let h = learnedPositions(g, embedding(g, ids, 'tok', V, 32, { seed: 3 }), 'pos', { seed: 3 });
    h = transformerBlock(g, h, 'blocks.0', { heads: 2, causal: true, mlpRatio: 2, seed: 3 });
    const logits = linear(g, layerNorm(g, h, 'ln_f'), 'head', V, { bias: false, seed: 3 });
    const loss = op.neg(op.reduceMean(op.reduceSum(op.mul(op.logSoftmax(logits), targets), [2]), [0, 1]));
    const program = await compileTraining(g, loss);
    const params = initialValues(g);
    const opt = new AdamW({ lr: 3e-3, weightDecay: 0 });
    let first = 0;
    let last = 0;
    for (let step = 0; step < 250; step++) {
      const { ids: idData, targets: targetData } = batch(step * 5);
      const { loss: l, grads } = await program.step(
        {
          ids: { data: idData, shape: [B, T], dtype: 'int64' },
          targets: { data: targetData, shape: [B, T, V], dtype: 'float32' },
        },
        params,
      );
      if (step === 0) first = l;
      last = l;
      opt.step(params, grads);
    }
    expect(first).toBeGreaterThan(2); // about ln(V) at the start
    expect(last).toBeLessThan(0.3);

    // The exported inference model predicts the next characters of a window of the corpus.
    const infer = await createSession(
      toOnnx(g, { outputs: [logits], parameters: 'initializers', values: params }),
    );
    const { ids: idData, next } = batch(3);
    const out = (await infer.run({ ids: { data: idData, shape: [B, T], dtype: 'int64' } }))[
      logits.name
    ] as Float32Array;
    let correct = 0;
    for (let i = 0; i < B * T; i++) {
      const row = out.subarray(i * V, (i + 1) * V);
      if (row.indexOf(Math.max(...row)) === next[i]) correct++;
    }
    expect(correct / (B * T)).toBeGreaterThan(0.95);
  }, 60_000);
});
