/**
 * Action-head benchmarks, one JSON line each (batch 1, K = 4 Euler steps, 64 backbone tokens for the
 * N1.5 preset, ONNX Runtime CPU with 2 intra-op threads, after warm-up):
 *   {"name": "head-small-infer", "msPerChunk": …}
 *   {"name": "head-gr00t-n1.5-infer", "msPerChunk": …, "params": …}
 *   {"name": "head-small-train-step", "msPerStep": …, "msForwardBackwardInRuntime": …}
 *   {"name": "head-vla-train-step", …}   (reproduce-paper's VLA head shape: 38 tokens × 128, batch 32)
 *
 *   pnpm --filter @roboalign/action-head bench            (add --skip-large to leave out the N1.5 preset)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, type Feed, saveOnnx } from '@roboalign/onnx-train';
import { ActionHead, buildInferenceGraph, type HeadSample, seededRandom } from '../src/action-head.js';
import { type ActionHeadConfig, PRESETS } from '../src/config.js';
import { gaussian } from '../src/flow-matching.js';

const session = { intraOpThreads: 2 };

function observationFeeds(cfg: ActionHeadConfig, random: () => number): Record<string, Feed> {
  return {
    features: {
      data: Float32Array.from({ length: cfg.backboneTokens * cfg.backboneDim }, () => gaussian(random)),
      shape: [1, cfg.backboneTokens, cfg.backboneDim],
      dtype: 'float32',
    },
    feature_mask: {
      data: new Float32Array(cfg.backboneTokens).fill(1),
      shape: [1, cfg.backboneTokens],
      dtype: 'float32',
    },
    state: { data: new Float32Array(cfg.stateDim), shape: [1, cfg.stateDim], dtype: 'float32' },
    embodiment: { data: BigInt64Array.of(0n), shape: [1], dtype: 'int64' },
    noise: {
      data: Float32Array.from({ length: cfg.horizon * cfg.actionDim }, () => gaussian(random)),
      shape: [1, cfg.horizon, cfg.actionDim],
      dtype: 'float32',
    },
  };
}

async function inferenceLatency(name: string, cfg: ActionHeadConfig, runs: number) {
  const dir = await mkdtemp(join(tmpdir(), 'head-bench-'));
  try {
    const { graph, actions } = buildInferenceGraph(cfg);
    const params = [...graph.parameters.values()].reduce((n, p) => n + p.init.length, 0);
    const path = join(dir, 'head.onnx');
    await saveOnnx(path, graph, { outputs: [actions], externalData: true });
    const s = await createSession(path, session);
    const feeds = observationFeeds(cfg, seededRandom(1));
    for (let i = 0; i < 2; i++) await s.run(feeds);
    const start = performance.now();
    for (let i = 0; i < runs; i++) await s.run(feeds);
    const msPerChunk = (performance.now() - start) / runs;
    console.log(JSON.stringify({ name, msPerChunk: Number(msPerChunk.toFixed(2)), params }));
    await s.release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.error(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ONNX Runtime CPU, 2 threads`,
);

await inferenceLatency('head-small-infer', PRESETS.small, 50);

/**
 * A training step (forward + backward + AdamW) at batch `B`, and the part of it spent in ONNX Runtime's
 * forward + backward run alone (the rest is feeds, gradient clipping and the optimizer in JavaScript).
 */
async function trainStepTime(name: string, cfg: ActionHeadConfig, B: number, steps: number) {
  const head = await ActionHead.create(cfg, { batchSize: B, session });
  const random = seededRandom(2);
  const sample = (): HeadSample => ({
    features: Float32Array.from({ length: cfg.backboneTokens * cfg.backboneDim }, () => gaussian(random)),
    featureMask: new Float32Array(cfg.backboneTokens).fill(1),
    state: new Float32Array(cfg.stateDim),
    embodiment: 0,
    actions: Float32Array.from({ length: cfg.horizon * cfg.actionDim }, () => gaussian(random)),
    actionMask: new Float32Array(cfg.horizon * cfg.actionDim).fill(1),
  });
  const batch = Array.from({ length: B }, sample);
  for (let i = 0; i < 3; i++) await head.trainStep(batch, random);
  let start = performance.now();
  for (let i = 0; i < steps; i++) await head.trainStep(batch, random);
  const msPerStep = (performance.now() - start) / steps;
  const { program, params } = head.loopParts();
  const feeds = head.trainingFeeds(batch, random);
  start = performance.now();
  for (let i = 0; i < steps; i++) await program.step(feeds, params);
  const msRuntime = (performance.now() - start) / steps;
  console.log(
    JSON.stringify({
      name,
      msPerStep: Number(msPerStep.toFixed(2)),
      msForwardBackwardInRuntime: Number(msRuntime.toFixed(2)),
      batch: B,
      backboneTokens: cfg.backboneTokens,
      backboneDim: cfg.backboneDim,
      stepsPerSecond: Number((1000 / msPerStep).toFixed(1)),
    }),
  );
  await head.release();
}

await trainStepTime('head-small-train-step', PRESETS.small, 16, 30);
// reproduce-paper's VLA heads: the `tiny` VLM's 128-wide middle layer, up to 38 text tokens, batch 32.
await trainStepTime(
  'head-vla-train-step',
  { ...PRESETS.small, backboneTokens: 38, backboneDim: 128 },
  32,
  30,
);

if (!process.argv.includes('--skip-large'))
  await inferenceLatency('head-gr00t-n1.5-infer', PRESETS['gr00t-n1.5'], 3);
