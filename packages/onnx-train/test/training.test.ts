import { describe, expect, it } from 'vitest';
import { Graph } from '../src/graph.js';
import { linear } from '../src/layers.js';
import { toOnnx } from '../src/onnx-export.js';
import * as op from '../src/ops.js';
import { AdamW } from '../src/optim.js';
import { createSession } from '../src/runtime.js';
import { compileTraining, initialValues } from '../src/training.js';

describe('AdamW', () => {
  it('matches the update written out by hand (decoupled decay, bias correction)', () => {
    const p = Float64Array.of(1, -2);
    const opt = new AdamW({ lr: 0.1, weightDecay: 0.01 });
    opt.step(new Map([['w', p]]), new Map([['w', [0.5, -0.25]]]));
    // step 1: m̂ = g, v̂ = g², so the Adam step is lr · g / (|g| + eps) after p ← p(1 - lr·wd)
    expect(p[0]).toBeCloseTo(1 * (1 - 0.001) - 0.1 * (0.5 / (0.5 + 1e-8)), 12);
    expect(p[1]).toBeCloseTo(-2 * (1 - 0.001) + 0.1 * (0.25 / (0.25 + 1e-8)), 12);
    opt.step(new Map([['w', p]]), new Map([['w', [0.5, -0.25]]]));
    expect(opt.stepCount).toBe(2);
  });

  it('rejects gradients that do not fit', () => {
    const opt = new AdamW({ lr: 0.1 });
    expect(() => opt.step(new Map([['w', new Float32Array(2)]]), new Map([['w', [1]]]))).toThrow(
      /has 1 values, parameter 2/,
    );
    expect(() => opt.step(new Map(), new Map([['v', [1]]]))).toThrow(/unknown parameter v/);
    expect(() => opt.step(new Map([['w', new Float32Array(1)]]), new Map([['w', [Number.NaN]]]))).toThrow(
      /w\[0\] is NaN/,
    );
  });
});

describe('training on ONNX Runtime', () => {
  it('fits a small MLP regression with AdamW, and the exported inference model gives the same outputs', async () => {
    // y = sin(x0) + 0.5 x1 on 32 points.
    const n = 32;
    const xs = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 1.7) * 1.5);
    const ys = Float32Array.from({ length: n }, (_, i) => Math.sin(xs[2 * i]) + 0.5 * xs[2 * i + 1]);
    const g = new Graph();
    const x = g.input('x', [n, 2]);
    const target = g.input('y', [n, 1]);
    const y = linear(g, op.tanh(linear(g, x, 'mlp.0', 16, { seed: 1 })), 'mlp.1', 1, { seed: 2 });
    const d = op.sub(y, target);
    const loss = op.reduceMean(op.mul(d, d), [0, 1]);
    const program = await compileTraining(g, loss);
    const params = initialValues(g);
    const opt = new AdamW({ lr: 0.02, weightDecay: 0 });
    const feeds = {
      x: { data: xs, shape: [n, 2], dtype: 'float32' as const },
      y: { data: ys, shape: [n, 1], dtype: 'float32' as const },
    };
    let first = 0;
    let last = 0;
    for (let step = 0; step < 300; step++) {
      const { loss: l, grads } = await program.step(feeds, params);
      if (step === 0) first = l;
      last = l;
      opt.step(params, grads);
    }
    expect(last).toBeLessThan(first / 20);

    const inference = await createSession(
      toOnnx(g, { outputs: [y], parameters: 'initializers', values: params }),
    );
    const predicted = (await inference.run({ x: feeds.x }))[y.name] as Float32Array;
    let mse = 0;
    for (let i = 0; i < n; i++) mse += (predicted[i] - ys[i]) ** 2 / n;
    expect(mse).toBeCloseTo(last, 4); // the exported model is the trained model
  });

  it('keeps frozen parameters out of the gradients', async () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    const h = linear(g, x, 'backbone', 4, { seed: 1 });
    const loss = op.reduceSum(linear(g, h, 'head', 1, { seed: 2 }), [0, 1]);
    const program = await compileTraining(g, loss, { frozen: new Set(['backbone.weight', 'backbone.bias']) });
    expect(program.parameters.map((p) => p.name)).toEqual(['head.weight', 'head.bias']);
    const { grads } = await program.step(
      { x: { data: new Float32Array(6).fill(1), shape: [2, 3], dtype: 'float32' } },
      initialValues(g),
    );
    expect([...grads.keys()]).toEqual(['head.weight', 'head.bias']);
  });

  it('falls back from CUDA to CPU with a logged notice when CUDA is unavailable', async () => {
    const g = new Graph();
    const a = g.input('a', [2]);
    const model = toOnnx(g, { outputs: [op.exp(a)], parameters: 'inputs' });
    const notices: string[] = [];
    const s = await createSession(model, {
      executionProviders: ['cuda', 'cpu'],
      log: (m) => notices.push(m),
    });
    if (s.provider === 'cpu') expect(notices[0]).toMatch(/CUDA execution provider unavailable/);
    const out = await s.run({ a: { data: Float32Array.of(0, 1), shape: [2], dtype: 'float32' } });
    expect(Array.from(Object.values(out)[0] as Float32Array)).toEqual([1, Math.fround(Math.E)]);
  });
});

describe('saveOnnx', () => {
  it('writes weights to an external-data file that ONNX Runtime loads beside the model', async () => {
    const { mkdtemp, readdir, rm, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { saveOnnx } = await import('../src/save-onnx.js');
    const dir = await mkdtemp(join(tmpdir(), 'onnx-train-save-'));
    try {
      const g = new Graph();
      const x = g.input('x', [2, 64]);
      const y = linear(g, op.tanh(linear(g, x, 'a', 64, { seed: 1 })), 'b', 8, { seed: 2 });
      const embedded = await createSession(toOnnx(g, { outputs: [y], parameters: 'initializers' }));
      const path = join(dir, 'model.onnx');
      await saveOnnx(path, g, { outputs: [y], externalData: true });
      expect((await readdir(dir)).sort()).toEqual(['model.onnx', 'model.onnx.data']);
      expect((await stat(join(dir, 'model.onnx.data'))).size).toBeGreaterThan(64 * 64 * 4);
      expect((await stat(path)).size).toBeLessThan(4096);
      const external = await createSession(path);
      const feed = {
        x: {
          data: Float32Array.from({ length: 128 }, (_, i) => Math.sin(i)),
          shape: [2, 64],
          dtype: 'float32' as const,
        },
      };
      expect((await external.run(feed))[y.name]).toEqual((await embedded.run(feed))[y.name]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
