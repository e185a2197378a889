import { describe, expect, it } from 'vitest';
import { checkGradients } from '../src/gradient-check.js';
import { Graph, type Value } from '../src/graph.js';
import { mulberry32 } from '../src/init.js';
import * as layers from '../src/layers.js';
import * as op from '../src/ops.js';
import { compileTraining, initialValues } from '../src/training.js';

/**
 * The fused float32 kernels (LayerNormalization, SimplifiedLayerNormalization, Gelu) and their analytic VJPs:
 * against finite differences in float32, and against the float64 graphs built from elementwise ops (whose
 * VJPs are checked to 1e-6 in gradients.test.ts).
 */

const shape = [2, 3, 6];
const size = shape.reduce((a, b) => a * b, 1);

function randomValues(n: number, seed: number, offset = 0): Float64Array {
  const rand = mulberry32(seed);
  return Float64Array.from({ length: n }, () => offset + 2 * rand() - 1);
}

type Build = (g: Graph, x: Value) => Value;

const cases: [string, Build][] = [
  ['layerNorm', (g, x) => layers.layerNorm(g, x, 'ln')],
  ['rmsNorm', (g, x) => layers.rmsNorm(g, x, 'rms')],
  ['layerNormPlain', (g, x) => layers.layerNormPlain(g, x)],
  ['gelu (exact)', (_g, x) => layers.gelu(x)],
];

/** Σ f(x) · w with fixed random weights, in the given float type; learned scales perturbed away from 1. */
function build(dtype: 'float32' | 'float64', f: Build) {
  const g = new Graph();
  const typed = (v: Float64Array) => (dtype === 'float32' ? Float32Array.from(v) : v);
  // An offset mean, so that the centring in LayerNorm matters.
  const x = g.parameter('x', shape, typed(randomValues(size, 1, 0.3)));
  const y = f(g, x);
  const loss = op.reduceSum(
    op.mul(y, g.constant(typed(randomValues(size, 2, 1.5)), shape, dtype)),
    [0, 1, 2],
  );
  const values = initialValues(g);
  for (const [name, v] of values) {
    if (name !== 'x') v.set(typed(randomValues(v.length, name.length, 1)));
  }
  return { g, loss, values };
}

describe('fused float32 ops', () => {
  it('emit one fused node each in float32 and elementwise ops in float64', () => {
    const kinds = (dtype: 'float32' | 'float64', f: Build) => build(dtype, f).g.nodes.map((n) => n.onnxType);
    expect(kinds('float32', cases[0][1])).toContain('LayerNormalization');
    expect(kinds('float32', cases[1][1])).toContain('SimplifiedLayerNormalization');
    expect(kinds('float32', cases[3][1])).toContain('Gelu');
    expect(kinds('float64', cases[0][1])).not.toContain('LayerNormalization');
    expect(kinds('float64', cases[1][1])).not.toContain('SimplifiedLayerNormalization');
  });

  // float32 finite differences are coarse (h large enough to beat rounding, small enough for curvature); the
  // comparison with the float64 graphs below is the tight check.
  it.each(cases)('%s: VJP agrees with finite differences (float32)', async (_name, f) => {
    const { g, loss } = build('float32', f);
    const { maxRelativeError } = await checkGradients(g, loss, { h: 1e-2, session: {} });
    expect(maxRelativeError).toBeLessThan(1e-2);
  });

  it.each(cases.filter(([name]) => !name.startsWith('gelu')))(
    '%s: gradients match the float64 elementwise graph to float32 rounding',
    async (_name, f) => {
      const fused = build('float32', f);
      const composed = build('float64', f);
      const run = async (b: ReturnType<typeof build>) =>
        (await (await compileTraining(b.g, b.loss)).step({}, b.values)).grads;
      const [a, ref] = [await run(fused), await run(composed)];
      expect([...a.keys()].sort()).toEqual([...ref.keys()].sort());
      for (const [name, grad] of ref) {
        const scale = Math.max(...Array.from(grad, Math.abs));
        Array.from(a.get(name)!).forEach((v, i) => {
          expect(Math.abs(v - grad[i]) / scale).toBeLessThan(1e-5);
        });
      }
    },
  );

  it('rejects float64 inputs and mis-shaped scales', () => {
    const g = new Graph();
    const x64 = g.parameter('x', [2, 3], new Float64Array(6));
    expect(() => op.geluExact(x64)).toThrow(/geluExact: float32 only, got float64/);
    const x = g.parameter('y', [2, 3], new Float32Array(6));
    const s = g.parameter('s', [2], new Float32Array(2));
    expect(() => op.rmsNormalization(x, s, 1e-6)).toThrow(/rmsNormalization: s must be \[3\]/);
  });
});
