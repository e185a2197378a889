// `memoryArena: false` gives a session's run memory back after each run: the vlm compiles one graph per
// padded shape, and with the arena every one of them kept its peak (an SFT run grew to 24 GB). How much of
// that memory the process's RSS then shows depends on the C allocator's trim and mmap thresholds (an RSS
// test passed on one 2-core CPU and failed on another), so this checks what reaches ONNX Runtime instead.
import { describe, expect, it } from 'vitest';
import { Graph } from '../src/graph.js';
import { toOnnx } from '../src/onnx-export.js';
import * as op from '../src/ops.js';
import { createSession, ortSessionOptions } from '../src/runtime.js';

describe('ortSessionOptions', () => {
  it('maps memoryArena to enableCpuMemArena, both ways', () => {
    expect(ortSessionOptions({ memoryArena: false }).enableCpuMemArena).toBe(false);
    expect(ortSessionOptions({ memoryArena: true }).enableCpuMemArena).toBe(true);
  });

  it('leaves unset options to ONNX Runtime', () => {
    expect(ortSessionOptions({})).toEqual({});
  });

  it('maps threads, optimization level and spinning', () => {
    expect(
      ortSessionOptions({ intraOpThreads: 2, graphOptimizationLevel: 'basic', spinning: false }),
    ).toEqual({
      intraOpNumThreads: 2,
      graphOptimizationLevel: 'basic',
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  });
});

describe('createSession memoryArena', () => {
  it('runs the same graph to the same result with and without the arena', async () => {
    const g = new Graph();
    const x = g.input('x', [4096]);
    const y = op.reduceSum(op.mul(op.exp(x), op.tanh(x)), [0]);
    const model = toOnnx(g, { outputs: [y], parameters: 'inputs' });
    const data = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i) / 4);
    const results: number[] = [];
    for (const memoryArena of [false, true]) {
      const session = await createSession(model, { memoryArena });
      const out = await session.run({ x: { data, shape: [4096], dtype: 'float32' } });
      results.push((out[y.name] as Float32Array)[0]);
      await session.release();
    }
    let expected = 0;
    for (const v of data) expected += Math.exp(v) * Math.tanh(v);
    expect(results[0]).toBe(results[1]);
    expect(results[0]).toBeCloseTo(expected, 2);
  });
});
