import { describe, expect, it } from 'vitest';
import { gradients } from '../src/autodiff.js';
import { Graph } from '../src/graph.js';
import { toOnnx } from '../src/onnx-export.js';
import { exp, mul, reduceSum } from '../src/ops.js';
import { createSession } from '../src/runtime.js';

describe('Graph.named', () => {
  it('exports a value under the chosen name and passes gradients through', async () => {
    const g = new Graph();
    const w = g.parameter('w', [2], Float32Array.of(0, 1));
    const logits = g.named(exp(w), 'logits');
    const loss = reduceSum(mul(logits, logits), [0]);
    const [grad] = gradients(loss, [w]);
    const s = await createSession(toOnnx(g, { outputs: [logits, grad], parameters: 'initializers' }));
    const out = await s.run({});
    expect(Object.keys(out)).toContain('logits');
    expect(Array.from(out.logits as Float32Array)).toEqual([1, Math.fround(Math.E)]);
    // d/dw sum(exp(w)^2) = 2 exp(2w)
    const got = Array.from(out[grad.name] as Float32Array);
    expect(got[0]).toBeCloseTo(2, 5);
    expect(got[1]).toBeCloseTo(2 * Math.exp(2), 4);
  });

  it('refuses a name already in the graph', () => {
    const g = new Graph();
    const x = g.input('x', [1]);
    expect(() => g.named(x, 'x')).toThrow(/already used/);
  });
});
