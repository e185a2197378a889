import { describe, expect, it } from 'vitest';
import { Graph } from '../src/graph.js';
import { mulberry32 } from '../src/init.js';
import { patchEmbedding } from '../src/layers.js';
import { toOnnx } from '../src/onnx-export.js';
import { createSession } from '../src/runtime.js';
import { logSoftmaxRow, sampleToken } from '../src/sampling.js';

describe('patchEmbedding', () => {
  it('cuts images into row-major patches of [channels, patch, patch] pixels', async () => {
    const g = new Graph();
    const img = g.input('img', [1, 1, 4, 4]);
    // An identity projection makes the output the flattened patches themselves.
    const y = patchEmbedding(g, img, 'patch', 2, 4);
    const eye = new Float32Array(16);
    for (let i = 0; i < 4; i++) eye[i * 4 + i] = 1;
    const s = await createSession(
      toOnnx(g, {
        outputs: [y],
        parameters: 'initializers',
        values: new Map([
          ['patch.weight', eye],
          ['patch.bias', new Float32Array(4)],
        ]),
      }),
    );
    const pixels = Float32Array.from({ length: 16 }, (_, i) => i);
    const out = (await s.run({ img: { data: pixels, shape: [1, 1, 4, 4], dtype: 'float32' } }))[y.name];
    // patch (0, 1) holds pixels 2, 3, 6, 7
    expect(Array.from(out.subarray(4, 8) as Float32Array)).toEqual([2, 3, 6, 7]);
  });

  it('rejects images that do not divide into patches', () => {
    const g = new Graph();
    expect(() => patchEmbedding(g, g.input('img', [1, 3, 5, 4]), 'patch', 2, 8)).toThrow(
      /divisible by patch 2/,
    );
  });
});

describe('sampleToken', () => {
  const logits = [2, 1, 0, -1];

  it('is greedy at temperature 0 and with top-k 1', () => {
    expect(sampleToken(logits, { temperature: 0, random: Math.random }).id).toBe(0);
    expect(sampleToken(logits, { topK: 1, random: Math.random })).toEqual({ id: 0, logprob: 0 });
  });

  it('samples each token with its softmax probability and reports its log-prob', () => {
    const rand = mulberry32(1);
    const counts = [0, 0, 0, 0];
    const n = 40000;
    const logp = logSoftmaxRow(logits);
    for (let i = 0; i < n; i++) {
      const { id, logprob } = sampleToken(logits, { random: rand });
      counts[id]++;
      expect(logprob).toBeCloseTo(logp[id], 12);
    }
    counts.forEach((c, i) => {
      expect(Math.abs(c / n - Math.exp(logp[i]))).toBeLessThan(0.01);
    });
  });

  it('top-p keeps the smallest head of the distribution that reaches p, renormalized', () => {
    // probabilities ≈ 0.644, 0.237, 0.087, 0.032: top-p 0.8 keeps the first two
    const rand = mulberry32(2);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, { topP: 0.8, random: rand }).id);
    expect([...seen].sort()).toEqual([0, 1]);
    const { logprob } = sampleToken(logits, { topP: 0.8, random: () => 0 });
    expect(logprob).toBeCloseTo(Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(1))), 12);
  });

  it('reproduces with a seeded generator', () => {
    const draw = (seed: number) => {
      const rand = mulberry32(seed);
      return Array.from({ length: 20 }, () => sampleToken(logits, { temperature: 0.7, random: rand }).id);
    };
    expect(draw(5)).toEqual(draw(5));
  });
});

describe('dropout', () => {
  it('zeros about p of the elements and scales the rest in training; is the identity otherwise', async () => {
    const { dropout } = await import('../src/layers.js');
    const { gradients } = await import('../src/autodiff.js');
    const op = await import('../src/ops.js');
    const g = new Graph();
    const x = g.parameter(
      'x',
      [4000],
      Float32Array.from({ length: 4000 }, (_, i) => 1 + (i % 7)),
    );
    const y = dropout(x, 0.25, true, 7);
    const [gx] = gradients(op.reduceSum(y, [0]), [x]);
    const s = await createSession(toOnnx(g, { outputs: [y, gx], parameters: 'initializers' }));
    const out = await s.run({});
    const ys = out[y.name] as Float32Array;
    const gs = out[gx.name] as Float32Array;
    let zeros = 0;
    for (let i = 0; i < ys.length; i++) {
      const xi = 1 + (i % 7);
      if (ys[i] === 0) {
        zeros++;
        expect(gs[i]).toBe(0);
      } else {
        expect(ys[i]).toBeCloseTo(xi / 0.75, 5);
        expect(gs[i]).toBeCloseTo(1 / 0.75, 5); // the gradient uses the same mask as the forward pass
      }
    }
    expect(Math.abs(zeros / 4000 - 0.25)).toBeLessThan(0.03);
    expect(dropout(x, 0.25, false)).toBe(x);
    expect(() => dropout(x, 1, true)).toThrow(/p must be in \[0, 1\)/);
  });
});
