import { describe, expect, it } from 'vitest';
import { gradients } from '../src/autodiff.js';
import { checkGradients } from '../src/gradient-check.js';
import { Graph } from '../src/graph.js';
import { mulberry32 } from '../src/init.js';
import * as op from '../src/ops.js';

const random = (n: number, seed: number) => {
  const rand = mulberry32(seed);
  return Float64Array.from({ length: n }, () => 2 * rand() - 1);
};

describe('gradients summed over broadcast leading axes', () => {
  it('are one matrix product with a row of ones for large sums, and agree with finite differences', async () => {
    const g = new Graph();
    const x = g.parameter('x', [4, 8, 130], random(4 * 8 * 130, 1));
    const bias = g.parameter('bias', [130], random(130, 2));
    const scale = g.parameter('scale', [1, 1, 130], random(130, 3));
    const y = op.mul(op.add(x, bias), scale);
    const loss = op.reduceSum(
      op.mul(op.tanh(y), g.constant(random(4 * 8 * 130, 4), y.shape, 'float64')),
      [0, 1, 2],
    );
    gradients(loss, [bias, scale]);
    const kinds = g.nodes.map((n) => n.onnxType);
    expect(kinds.filter((k) => k === 'MatMul').length).toBe(2); // the bias and scale gradients
    const result = await checkGradients(g, loss, { maxEntriesPerParameter: 40 });
    expect(result.maxRelativeError).toBeLessThan(1e-6);
  });

  it('keep ReduceSum for small sums and for axes that are not leading', () => {
    const g = new Graph();
    const a = g.parameter('a', [3, 4], random(12, 5));
    const b = g.parameter('b', [3, 1], random(3, 6));
    const loss = op.reduceSum(op.mul(a, b), [0, 1]);
    gradients(loss, [a, b]);
    expect(g.nodes.some((n) => n.onnxType === 'MatMul')).toBe(false);
  });
});
