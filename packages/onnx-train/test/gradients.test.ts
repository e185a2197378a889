import { describe, expect, it } from 'vitest';
import { gradients } from '../src/autodiff.js';
import { checkGradients } from '../src/gradient-check.js';
import { Graph, type Value } from '../src/graph.js';
import { mulberry32 } from '../src/init.js';
import * as layers from '../src/layers.js';
import { linear } from '../src/layers.js';
import { toOnnx } from '../src/onnx-export.js';
import * as op from '../src/ops.js';
import { createSession, type Feed } from '../src/runtime.js';
import { compileTraining, initialValues } from '../src/training.js';

/** Parameter values in [lo, hi] with random sign when `signed`, away from zero by `lo`. */
function values(n: number, seed: number, lo = 0.2, hi = 1.5, signed = true): Float64Array {
  const rand = mulberry32(seed);
  return Float64Array.from(
    { length: n },
    () => (lo + (hi - lo) * rand()) * (signed && rand() < 0.5 ? -1 : 1),
  );
}

/** The largest relative error of the analytic gradients against central finite differences. */
async function gradientError(
  g: Graph,
  loss: Value,
  feeds: Record<string, Feed> = {},
  h = 1e-6,
): Promise<number> {
  return (await checkGradients(g, loss, { feeds, h })).maxRelativeError;
}

/** loss = Σ f(params) · w, with a fixed random w so every output element matters differently. */
function weightedSum(g: Graph, y: Value, seed = 99): Value {
  const w = g.constant(
    values(
      y.shape.reduce((a, b) => a * b, 1),
      seed,
      0.5,
      2,
    ),
    y.shape,
    'float64',
  );
  return op.reduceSum(
    op.mul(y, w),
    y.shape.map((_, i) => i),
  );
}

type Case = [string, (g: Graph) => Value];
const p = (
  g: Graph,
  name: string,
  shape: number[],
  seed: number,
  lo?: number,
  hi?: number,
  signed?: boolean,
) =>
  g.parameter(
    name,
    shape,
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
      lo,
      hi,
      signed,
    ),
  );

const cases: Case[] = [
  ['add with broadcasting', (g) => op.add(p(g, 'a', [2, 3], 1), p(g, 'b', [3], 2))],
  ['sub with broadcasting both ways', (g) => op.sub(p(g, 'a', [2, 1], 1), p(g, 'b', [1, 3], 2))],
  ['mul', (g) => op.mul(p(g, 'a', [2, 3], 1), p(g, 'b', [2, 1], 2))],
  ['div', (g) => op.div(p(g, 'a', [2, 3], 1), p(g, 'b', [3], 2, 0.5, 2, false))],
  ['neg', (g) => op.neg(p(g, 'a', [4], 1))],
  ['exp', (g) => op.exp(p(g, 'a', [2, 2], 1))],
  ['log', (g) => op.log(p(g, 'a', [5], 1, 0.3, 2, false))],
  ['sqrt', (g) => op.sqrt(p(g, 'a', [5], 1, 0.3, 2, false))],
  ['tanh', (g) => op.tanh(p(g, 'a', [2, 3], 1))],
  ['sigmoid', (g) => op.sigmoid(p(g, 'a', [2, 3], 1))],
  ['relu (away from the kink)', (g) => op.relu(p(g, 'a', [2, 3], 1))],
  ['reshape', (g) => op.mul(op.reshape(p(g, 'a', [2, 3], 1), [3, 2]), p(g, 'b', [3, 2], 2))],
  ['transpose', (g) => op.mul(op.transpose(p(g, 'a', [2, 3, 4], 1), [2, 0, 1]), p(g, 'b', [4, 2, 3], 2))],
  ['expand', (g) => op.mul(op.expand(p(g, 'a', [3, 1], 1), [2, 3, 4]), p(g, 'b', [2, 3, 4], 2))],
  ['reduceSum', (g) => op.mul(op.reduceSum(p(g, 'a', [2, 3, 4], 1), [1]), p(g, 'b', [2, 4], 2))],
  [
    'reduceMean keepdims',
    (g) => op.mul(op.reduceMean(p(g, 'a', [2, 3, 4], 1), [0, 2], true), p(g, 'b', [1, 3, 1], 2)),
  ],
  ['softmax', (g) => op.softmax(p(g, 'a', [2, 5], 1), -1)],
  ['logSoftmax over axis 0', (g) => op.logSoftmax(p(g, 'a', [3, 4], 1), 0)],
  ['batched matMul with broadcasting', (g) => op.matMul(p(g, 'a', [2, 3, 4], 1), p(g, 'b', [4, 5], 2))],
  ['concat along axis 1', (g) => op.concat([p(g, 'a', [2, 1, 3], 1), p(g, 'b', [2, 2, 3], 2)], 1)],
  ['slice from the middle', (g) => op.slice(p(g, 'a', [2, 5, 3], 1), 1, 1, 3)],
  ['sin', (g) => op.sin(p(g, 'a', [2, 3], 1))],
  ['cos', (g) => op.cos(p(g, 'a', [2, 3], 1))],
  [
    'where with broadcasting',
    (g) =>
      op.where(
        g.constant(Uint8Array.from([1, 0, 1]), [3], 'bool'),
        p(g, 'a', [2, 3], 1),
        p(g, 'b', [2, 1], 2),
      ),
  ],
  ['layerNorm', (g) => layers.layerNorm(g, p(g, 'x', [2, 5], 1), 'ln')],
  ['rmsNorm', (g) => layers.rmsNorm(g, p(g, 'x', [2, 5], 1), 'rms')],
  ['gelu (tanh form)', (g) => layers.gelu(p(g, 'x', [2, 3], 1), 'tanh')],
  ['silu', (g) => layers.silu(p(g, 'x', [2, 3], 1))],
  ['sinusoidal timestep embedding', (g) => layers.sinusoidalTimestep(g, p(g, 't', [3], 1), 6)],
  [
    'embedding + learned positions',
    (g) =>
      layers.learnedPositions(
        g,
        layers.embedding(g, g.constant(BigInt64Array.from([1n, 2n, 2n, 0n]), [2, 2], 'int64'), 'tok', 4, 3, {
          dtype: 'float64',
        }),
        'pos',
      ),
  ],
  [
    'causal self-attention',
    (g) => layers.multiHeadAttention(g, p(g, 'x', [2, 3, 4], 1), 'attn', { heads: 2, causal: true }),
  ],
  [
    'cross-attention with a key padding mask',
    (g) =>
      layers.multiHeadAttention(g, p(g, 'x', [2, 2, 4], 1), 'xattn', {
        heads: 2,
        memory: p(g, 'mem', [2, 3, 4], 2),
        keyPaddingMask: g.constant(Float64Array.from([1, 1, 0, 1, 0, 0]), [2, 3], 'float64'),
      }),
  ],
  [
    'pre-norm transformer block',
    (g) =>
      layers.transformerBlock(g, p(g, 'x', [2, 3, 4], 1), 'block', {
        heads: 2,
        causal: true,
        mlpRatio: 2,
        geluApproximate: 'tanh',
      }),
  ],
  [
    'cross-attention block (pre-norm, padding mask, residual, GELU MLP)',
    (g) => {
      const x = p(g, 'x', [2, 2, 4], 1);
      const memory = p(g, 'mem', [2, 3, 4], 2);
      const keyPaddingMask = g.constant(Float64Array.from([1, 1, 1, 1, 1, 0]), [2, 3], 'float64');
      const attn = layers.multiHeadAttention(g, layers.layerNorm(g, x, 'ln1'), 'xattn', {
        heads: 2,
        memory,
        keyPaddingMask,
      });
      const h = op.add(x, attn);
      const hidden = layers.gelu(layers.linear(g, layers.layerNorm(g, h, 'ln2'), 'fc1', 8), 'tanh');
      return op.add(h, layers.linear(g, hidden, 'fc2', 4));
    },
  ],
  [
    'adaptive LayerNorm (AdaLN) conditioned on a timestep embedding',
    (g) =>
      layers.adaLayerNorm(
        g,
        p(g, 'x', [2, 3, 4], 1),
        layers.sinusoidalTimestep(g, p(g, 't', [2], 2), 4),
        'ada',
      ),
  ],
  ['patch embedding', (g) => layers.patchEmbedding(g, p(g, 'img', [1, 2, 4, 4], 1), 'patch', 2, 3)],
  [
    'gather (embedding rows, repeated ids)',
    (g) =>
      op.gather(p(g, 'table', [5, 3], 1), g.constant(BigInt64Array.from([1n, 4n, 1n, 0n]), [2, 2], 'int64')),
  ],
];

describe('VJP rules agree with finite differences (float64, through ONNX Runtime)', () => {
  it.each(cases)('%s', async (_name, build) => {
    const g = new Graph();
    const y = build(g);
    expect(await gradientError(g, weightedSum(g, y))).toBeLessThan(1e-6);
  });

  it('erf and exact GELU (float32: ONNX Runtime has no float64 Erf)', async () => {
    for (const build of [(x: Value) => op.erf(x), (x: Value) => layers.gelu(x)]) {
      const g = new Graph();
      const x = g.parameter('x', [2, 3], Float32Array.from(values(6, 1)));
      const w = g.constant(Float32Array.from(values(6, 2, 0.5, 2)), [2, 3], 'float32');
      const loss = op.reduceSum(op.mul(build(x), w), [0, 1]);
      expect(await gradientError(g, loss, {}, 1e-2)).toBeLessThan(2e-3);
    }
  });

  it('a whole MLP with a mean-squared-error loss', async () => {
    const g = new Graph();
    const x = g.input('x', [4, 3], 'float64');
    const target = g.input('target', [4, 2], 'float64');
    const h = op.tanh(linear(g, x, 'mlp.0', 5, { seed: 1 }));
    const y = linear(g, h, 'mlp.1', 2, { seed: 2 });
    const d = op.sub(y, target);
    const loss = op.reduceMean(op.mul(d, d), [0, 1]);
    const feeds = {
      x: { data: values(12, 3), shape: [4, 3], dtype: 'float64' as const },
      target: { data: values(8, 4), shape: [4, 2], dtype: 'float64' as const },
    };
    expect(await gradientError(g, loss, feeds)).toBeLessThan(1e-6);
  });

  it('a two-block decoder LM with next-token cross-entropy', async () => {
    const g = new Graph();
    const ids = g.constant(BigInt64Array.from([1n, 3n, 2n, 0n, 2n, 1n]), [2, 3], 'int64');
    let h = layers.learnedPositions(g, layers.embedding(g, ids, 'tok', 4, 4, { dtype: 'float64' }), 'pos');
    const block = { heads: 2, causal: true, mlpRatio: 2, geluApproximate: 'tanh' } as const;
    h = layers.transformerBlock(g, h, 'blocks.0', block);
    h = layers.transformerBlock(g, h, 'blocks.1', block);
    const logits = layers.linear(g, layers.layerNorm(g, h, 'ln_f'), 'head', 5, { bias: false });
    const oneHot = new Float64Array(2 * 3 * 5);
    [2, 0, 4, 1, 3, 3].forEach((t, i) => {
      oneHot[i * 5 + t] = 1;
    });
    const nll = op.neg(
      op.reduceMean(
        op.reduceSum(op.mul(op.logSoftmax(logits), g.constant(oneHot, [2, 3, 5], 'float64')), [2]),
        [0, 1],
      ),
    );
    expect(await gradientError(g, nll)).toBeLessThan(1e-6);
  });

  it('back-propagates seed gradients supplied for an output (a vector-Jacobian product)', async () => {
    const g = new Graph();
    const w = p(g, 'w', [3, 2], 1);
    const y = op.softmax(op.matMul(g.constant(values(6, 2), [2, 3], 'float64'), w));
    const seed = g.input('seed', [2, 2], 'float64');
    const [gw] = gradients([y], [w], [seed]);
    const seedData = values(4, 5);
    const s = await createSession(toOnnx(g, { outputs: [gw], parameters: 'inputs' }));
    const feeds = {
      seed: { data: seedData, shape: [2, 2], dtype: 'float64' as const },
      w: { data: g.parameters.get('w')!.init, shape: [3, 2], dtype: 'float64' as const },
    };
    const vjp = (await s.run(feeds))[gw.name] as Float64Array;
    // The same gradient from the scalar loss Σ y · seed.
    const g2 = new Graph();
    const w2 = g2.parameter('w', [3, 2], g.parameters.get('w')!.init);
    const y2 = op.softmax(op.matMul(g2.constant(values(6, 2), [2, 3], 'float64'), w2));
    const loss = op.reduceSum(op.mul(y2, g2.constant(seedData, [2, 2], 'float64')), [0, 1]);
    const { grads } = await (await compileTraining(g2, loss)).step({}, initialValues(g2));
    Array.from(vjp).forEach((v, i) => {
      expect(v).toBeCloseTo(Number(grads.get('w')![i]), 12);
    });
  });
});

describe('build-time errors name the op and the shapes', () => {
  it.each([
    [
      'matMul',
      (g: Graph) => op.matMul(p(g, 'a', [2, 3], 1), p(g, 'b', [4, 5], 2)),
      /matMul: inner dimensions differ: \[2, 3\] @ \[4, 5\] \(3 vs 4\)/,
    ],
    [
      'add',
      (g: Graph) => op.add(p(g, 'a', [2, 3], 1), p(g, 'b', [4], 2)),
      /add: shapes \[2, 3\] and \[4\] do not broadcast/,
    ],
    [
      'reshape',
      (g: Graph) => op.reshape(p(g, 'a', [2, 3], 1), [4, 2]),
      /reshape: cannot reshape \[2, 3\] \(6 values\) to \[4, 2\]/,
    ],
    [
      'softmax',
      (g: Graph) => op.softmax(p(g, 'a', [2, 3], 1), 2),
      /softmax: axis 2 is out of range for rank 2/,
    ],
    [
      'gather',
      (g: Graph) => op.gather(p(g, 'a', [2, 3], 1), p(g, 'b', [2], 2)),
      /gather: indices b must be int64/,
    ],
    [
      'parameter',
      (g: Graph) => g.parameter('w', [2, 2], new Float32Array(3)),
      /parameter w: 3 initial values for shape \[2, 2\]/,
    ],
    ['name', (g: Graph) => [g.input('w', [1]), p(g, 'w', [1], 2)], /the name "w" is already used/],
    [
      'shared parameter',
      (g: Graph) => [p(g, 'w', [1], 1), p(g, 'w', [2], 2)],
      /parameter w: already defined with shape \[1\], asked for \[2\]/,
    ],
  ])('%s', (_name, build, message) => {
    expect(() => build(new Graph())).toThrow(message);
  });

  it('gradients need a scalar loss or seeds', () => {
    const g = new Graph();
    const a = p(g, 'a', [2], 1);
    expect(() => gradients(op.exp(a), [a])).toThrow(/without seeds the output must be one scalar/);
  });
});
