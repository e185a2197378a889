// Build-time behaviour of the ops that the first mutation-testing run (docs/benchmarks.md) showed no test
// pinned: each op's shape and dtype checks with the message naming the op, the shapes reductions and
// softmax infer, and the structure of the slice/concat VJPs. No ONNX Runtime session is needed.
import { describe, expect, it } from 'vitest';
import { gradients } from '../src/autodiff.js';
import { Graph, type Value } from '../src/graph.js';
import * as op from '../src/ops.js';

const ones = (n: number) => new Float32Array(n).fill(1);

function setup() {
  const g = new Graph();
  const x = g.parameter('x', [2, 3, 4], ones(24));
  return { g, x };
}

describe('op checks name the op and the shapes', () => {
  it('rejects non-float and mixed-dtype operands', () => {
    const { g, x } = setup();
    const ids = g.input('ids', [2, 3, 4], 'int64');
    const x64 = g.input('x64', [2, 3, 4], 'float64');
    expect(() => op.add(x, ids)).toThrow(/add: ids is int64, expected a float tensor/);
    expect(() => op.mul(x, x64)).toThrow(/mul: mixed dtypes float32, float64/);
    expect(() => op.reduceSum(ids, [0])).toThrow(/reduceSum: ids is int64/);
    expect(() => op.softmax(ids)).toThrow(/softmax: ids is int64/);
    expect(() => op.matMul(ids, x)).toThrow(/matMul: ids is int64/);
  });

  it('transpose needs a permutation of all axes', () => {
    const { x } = setup();
    expect(() => op.transpose(x, [0, 1])).toThrow(/transpose: perm \[0, 1\] is not a permutation of 3 axes/);
    expect(() => op.transpose(x, [0, 1, 1])).toThrow(/not a permutation/);
    expect(() => op.transpose(x, [0, 1, 3])).toThrow(/not a permutation/);
    expect(op.transpose(x, [2, 0, 1]).shape).toEqual([4, 2, 3]);
  });

  it('expand only broadcasts up to the requested shape', () => {
    const { x } = setup();
    expect(() => op.expand(x, [3, 4])).toThrow(/expand: \[2, 3, 4\] does not expand to \[3, 4\]/);
    // Same rank, a smaller target: broadcasting succeeds ([2, 3, 4]) but that is not the target.
    expect(() => op.expand(x, [1, 3, 4])).toThrow(/expand: \[2, 3, 4\] does not expand to \[1, 3, 4\]/);
    expect(op.expand(x, [5, 2, 3, 4]).shape).toEqual([5, 2, 3, 4]);
  });

  it('matMul needs rank 2 on both sides', () => {
    const g = new Graph();
    const v = g.parameter('v', [4], ones(4));
    const m = g.parameter('m', [4, 2], ones(8));
    expect(() => op.matMul(v, m)).toThrow(/matMul: both operands need rank >= 2, got \[4\] and \[4, 2\]/);
    expect(() => op.matMul(m, v)).toThrow(/both operands need rank >= 2/);
  });

  it('where needs a bool condition', () => {
    const { g, x } = setup();
    const c = g.input('c', [2, 3, 4], 'float32');
    expect(() => op.where(c, x, x)).toThrow(/where: condition c must be bool, got float32/);
    expect(op.where(op.greater(x, x), x, g.parameter('b', [4], ones(4))).shape).toEqual([2, 3, 4]);
  });

  it('concat needs inputs that agree outside the axis', () => {
    const { g, x } = setup();
    expect(() => op.concat([], 0)).toThrow(/concat: no inputs/);
    const y = g.parameter('y', [2, 5, 4], ones(40));
    expect(op.concat([x, y], 1).shape).toEqual([2, 8, 4]);
    expect(() => op.concat([x, y], 2)).toThrow(
      /concat: \[2, 5, 4\] does not match \[2, 3, 4\] outside axis 2/,
    );
    const flat = g.parameter('flat', [2, 12], ones(24));
    expect(() => op.concat([x, flat], 0)).toThrow(/does not match/);
  });

  it('slice needs a non-empty integer range inside the axis', () => {
    const { x } = setup();
    expect(op.slice(x, 1, 1, 3).shape).toEqual([2, 2, 4]);
    expect(op.slice(x, -1, 0, 4).shape).toEqual([2, 3, 4]);
    for (const [start, end] of [
      [-1, 2],
      [0, 5],
      [2, 2],
      [3, 1],
      [0.5, 2],
      [0, 2.5],
    ]) {
      expect(() => op.slice(x, 2, start, end), `[${start}, ${end})`).toThrow(
        /slice: .* is not a non-empty range of axis 2 \(size 4\)/,
      );
    }
  });

  it('the fused normalizations need float32 and feature vectors of the last axis', () => {
    const g = new Graph();
    const x = g.parameter('x', [2, 4], ones(8));
    const s = g.parameter('s', [4], ones(4));
    const b = g.parameter('b', [4], ones(4));
    const wrong = g.parameter('wrong', [3], ones(3));
    const x64 = g.input('x64', [2, 4], 'float64');
    const s64 = g.input('s64', [4], 'float64');
    expect(() => op.layerNormalization(x, wrong, b, 1e-5)).toThrow(
      /layerNormalization: wrong must be \[4\] for input \[2, 4\], got \[3\]/,
    );
    expect(() => op.layerNormalization(x, s, wrong, 1e-5)).toThrow(/layerNormalization: wrong must be \[4\]/);
    expect(() => op.layerNormalization(x64, s64, s64, 1e-5)).toThrow(
      /layerNormalization: float32 only, got float64/,
    );
    expect(() => op.rmsNormalization(x64, s64, 1e-5)).toThrow(/rmsNormalization: float32 only, got float64/);
    expect(() => op.rmsNormalization(x, wrong, 1e-5)).toThrow(/rmsNormalization: wrong must be \[4\]/);
  });
});

describe('shapes the ops infer', () => {
  it('reductions drop the axes unless keepdims, and accept negative and repeated axes', () => {
    const { x } = setup();
    expect(op.reduceSum(x, [1]).shape).toEqual([2, 4]);
    expect(op.reduceSum(x, [1], true).shape).toEqual([2, 1, 4]);
    expect(op.reduceMean(x, [-1, 0]).shape).toEqual([3]);
    expect(op.reduceMean(x, [2], true).shape).toEqual([2, 3, 1]);
    expect(op.reduceSum(x, [2, -1]).shape).toEqual([2, 3]);
    const node = x.graph.nodes.at(-1)!;
    expect(node.attributes.keepdims).toBe(0);
    const axes = x.graph.constants.get(node.inputs[1].name)!.data as BigInt64Array;
    expect(Array.from(axes, Number)).toEqual([2]);
  });

  it('softmax and logSoftmax default to the last axis', () => {
    const { x } = setup();
    op.softmax(x);
    expect(x.graph.nodes.at(-1)!.attributes.axis).toBe(2);
    op.logSoftmax(x);
    expect(x.graph.nodes.at(-1)!.attributes.axis).toBe(2);
    op.softmax(x, 0);
    expect(x.graph.nodes.at(-1)!.attributes.axis).toBe(0);
  });
});

describe('the structure of slice and concat gradients', () => {
  /** The ONNX node types that the gradient of `loss` with respect to `x` adds. */
  function backwardOps(build: (x: Value) => Value): string[] {
    const { g, x } = setup();
    const loss = op.reduceSum(build(x), [0, 1, 2]);
    const before = g.nodes.length;
    gradients(loss, [x]);
    return g.nodes.slice(before).map((n) => n.onnxType);
  }

  it('pads a middle slice with zeros on both sides, an edge slice on one side, a full slice not at all', () => {
    const count = (ops: string[], t: string) => ops.filter((o) => o === t).length;
    const middle = backwardOps((x) => op.slice(x, 2, 1, 3));
    expect(count(middle, 'ConstantOfShape')).toBe(2);
    expect(count(middle, 'Concat')).toBe(1);
    const head = backwardOps((x) => op.slice(x, 2, 0, 3));
    expect(count(head, 'ConstantOfShape')).toBe(1);
    const tail = backwardOps((x) => op.slice(x, 2, 1, 4));
    expect(count(tail, 'ConstantOfShape')).toBe(1);
    const full = backwardOps((x) => op.slice(x, 2, 0, 4));
    expect(count(full, 'ConstantOfShape')).toBe(0);
    expect(count(full, 'Concat')).toBe(0);
  });

  it('splits a concat gradient into one slice per input', () => {
    const ops = backwardOps((x) => op.concat([x, op.mul(x, x), x], 1));
    expect(ops.filter((o) => o === 'Slice')).toHaveLength(3);
  });
});
