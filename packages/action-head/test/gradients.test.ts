import { checkGradients, Graph, ops } from '@roboalign/onnx-train';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/action-head.js';
import type { ActionHeadConfig } from '../src/config.js';
import { backboneMemory, velocity } from '../src/model.js';

const cfg: ActionHeadConfig = {
  backboneDim: 4,
  backboneTokens: 3,
  stateDim: 2,
  actionDim: 2,
  horizon: 2,
  embodiments: 2,
  hiddenSize: 4,
  heads: 2,
  ditLayers: 2,
  vlLayers: 1,
  vlHeads: 2,
  futureTokens: 1,
  timestepBuckets: 1000,
  inferenceSteps: 4,
  maskBackbonePadding: true,
};

describe("the head's graph", () => {
  it("has gradients that agree with central finite differences (float64, onnx-train's checker)", async () => {
    const g = new Graph();
    const B = 2;
    const random = seededRandom(5);
    const data = (n: number) => Float64Array.from({ length: n }, () => 2 * random() - 1);
    const inputs = {
      features: g.constant(data(B * 3 * 4), [B, 3, 4], 'float64'),
      featureMask: g.constant(Float64Array.of(1, 1, 0, 1, 0, 0), [B, 3], 'float64'),
      state: g.constant(data(B * 2), [B, 2], 'float64'),
      embodiment: g.constant(BigInt64Array.of(1n, 0n), [B], 'int64'),
    };
    const noisy = g.constant(data(B * 2 * 2), [B, 2, 2], 'float64');
    const t = g.constant(Float64Array.of(120, 730), [B], 'float64');
    // The layers that create parameters from float32 initializers follow the input's float type.
    const v = velocity(g, cfg, inputs, backboneMemory(g, cfg, inputs), noisy, t);
    const loss = ops.reduceSum(ops.mul(v, g.constant(data(B * 2 * 2), [B, 2, 2], 'float64')), [0, 1, 2]);
    // Every entry of small tensors, a dozen evenly spaced entries of larger ones.
    const { checked, maxRelativeError, worst } = await checkGradients(g, loss, {
      maxEntriesPerParameter: 12,
    });
    expect(checked).toBeGreaterThan(200);
    expect(maxRelativeError, JSON.stringify(worst)).toBeLessThan(1e-5);
  }, 60_000);
});
