import type { ActionHeadConfig } from '../../src/config.js';

/** A head small enough to train in a test in seconds. */
export const TINY: ActionHeadConfig = {
  backboneDim: 8,
  backboneTokens: 3,
  stateDim: 2,
  actionDim: 2,
  horizon: 4,
  embodiments: 2,
  hiddenSize: 32,
  heads: 2,
  ditLayers: 2,
  vlLayers: 1,
  vlHeads: 2,
  futureTokens: 2,
  timestepBuckets: 1000,
  inferenceSteps: 4,
  maskBackbonePadding: true,
};
