// `memoryArena: false` gives a session's run memory back after each run: the vlm compiles one graph per
// padded shape, and with the arena every one of them kept its peak (an SFT run grew to 24 GB).
import { describe, expect, it } from 'vitest';
import { Graph } from '../src/graph.js';
import { toOnnx } from '../src/onnx-export.js';
import * as op from '../src/ops.js';
import { createSession } from '../src/runtime.js';

const MB = 2 ** 20;

/** RSS growth (MB) left after one run of a graph whose intermediates take ~96 MB. */
async function retainedAfterRun(memoryArena: boolean): Promise<number> {
  const n = 8 * MB; // 32 MB per float32 tensor
  const g = new Graph();
  const x = g.input('x', [n]);
  const y = op.reduceSum(op.mul(op.exp(x), op.tanh(x)), [0]);
  const session = await createSession(toOnnx(g, { outputs: [y], parameters: 'inputs' }), { memoryArena });
  const data = new Float32Array(n);
  const before = process.memoryUsage().rss;
  await session.run({ x: { data, shape: [n], dtype: 'float32' } });
  const after = process.memoryUsage().rss;
  await session.release();
  return (after - before) / MB;
}

describe('createSession memoryArena', () => {
  it('keeps a run’s peak with the arena and gives it back without', async () => {
    expect(await retainedAfterRun(false)).toBeLessThan(24);
    expect(await retainedAfterRun(true)).toBeGreaterThan(48);
  });
});
