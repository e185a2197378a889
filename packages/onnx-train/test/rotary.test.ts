import { describe, expect, it } from 'vitest';
import { checkGradients } from '../src/gradient-check.js';
import { Graph } from '../src/graph.js';
import { mulberry32 } from '../src/init.js';
import { toOnnx } from '../src/onnx-export.js';
import { mul, reduceSum } from '../src/ops.js';
import { applyRotary, rotaryAngles } from '../src/rotary.js';
import { createSession } from '../src/runtime.js';

const [batch, heads, length, headDim] = [2, 2, 3, 4];
const size = batch * heads * length * headDim;
const positions = Float64Array.of(0, 1, 2, 5, 6, 7); // the second row shifted, as after left padding

/** Hugging Face's `apply_rotary_pos_emb` with `rotate_half`, written out per element in float64. */
function reference(x: Float64Array, theta: number): Float64Array {
  const half = headDim / 2;
  const out = new Float64Array(x.length);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let s = 0; s < length; s++) {
        const base = ((b * heads + h) * length + s) * headDim;
        for (let i = 0; i < headDim; i++) {
          const angle = positions[b * length + s] * theta ** ((-2 * (i % half)) / headDim);
          const rotated = i < half ? -x[base + i + half] : x[base + i - half];
          out[base + i] = x[base + i] * Math.cos(angle) + rotated * Math.sin(angle);
        }
      }
  return out;
}

function build(theta: number) {
  const g = new Graph();
  const rand = mulberry32(7);
  const x = g.parameter(
    'x',
    [batch, heads, length, headDim],
    Float64Array.from({ length: size }, () => rand() - 0.5),
  );
  const pos = g.input('positions', [batch, length], 'float64');
  const y = applyRotary(x, rotaryAngles(g, pos, headDim, theta));
  return {
    g,
    x,
    y,
    feeds: { positions: { data: positions, shape: [batch, length], dtype: 'float64' as const } },
  };
}

describe('rotary position embeddings', () => {
  it('rotate as Hugging Face rotate_half does, per row positions', async () => {
    const { g, y, feeds } = build(100);
    const s = await createSession(toOnnx(g, { outputs: [y], parameters: 'initializers' }), {
      graphOptimizationLevel: 'basic',
    });
    const got = (await s.run(feeds))[y.name] as Float64Array;
    const want = reference(g.parameters.get('x')!.init as Float64Array, 100);
    for (let i = 0; i < size; i++) expect(got[i]).toBeCloseTo(want[i], 12);
  });

  it('back-propagate the transposed rotation (finite differences)', async () => {
    const { g, y, feeds } = build(10000);
    const rand = mulberry32(3);
    const w = g.constant(
      Float64Array.from({ length: size }, () => rand() - 0.5),
      [batch, heads, length, headDim],
      'float64',
    );
    const loss = reduceSum(mul(mul(y, y), w), [0, 1, 2, 3]);
    const result = await checkGradients(g, loss, { feeds });
    expect(result.checked).toBe(size);
    expect(result.maxRelativeError).toBeLessThan(1e-6);
  });

  it('keep the norm of every rotated pair (a rotation, not a scaling)', async () => {
    const { g, y, feeds } = build(10000);
    const s = await createSession(toOnnx(g, { outputs: [y], parameters: 'initializers' }), {
      graphOptimizationLevel: 'basic',
    });
    const got = (await s.run(feeds))[y.name] as Float64Array;
    const x = g.parameters.get('x')!.init;
    for (let base = 0; base < size; base += headDim)
      for (let i = 0; i < headDim / 2; i++) {
        const before = x[base + i] ** 2 + x[base + i + 2] ** 2;
        const after = got[base + i] ** 2 + got[base + i + 2] ** 2;
        expect(after).toBeCloseTo(before, 12);
      }
  });

  it('reject odd head dimensions and mismatched angles', () => {
    const g = new Graph();
    expect(() => rotaryAngles(g, g.input('p', [1, 2]), 3)).toThrow(/even head dimension/);
    const angles = rotaryAngles(g, g.input('q', [1, 5]), 4);
    expect(() => applyRotary(g.input('x', [1, 2, 3, 4]), angles)).toThrow(/applyRotary/);
  });
});
