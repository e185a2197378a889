import { ActionHead, type HeadSample, seededRandom } from './src/action-head.js';
import { type ActionHeadConfig, PRESETS } from './src/config.js';
import { gaussian } from './src/flow-matching.js';
const session = { intraOpThreads: Number(process.env.T ?? 2) };
for (const [B, tokens, dim] of [[1, 38, 128], [32, 38, 128], [32, 8, 128], [64, 38, 128]] as const) {
  const cfg: ActionHeadConfig = { ...PRESETS.small, backboneTokens: tokens, backboneDim: dim };
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
  const steps = 40;
  let start = performance.now();
  for (let i = 0; i < steps; i++) await head.trainStep(batch, random);
  const msStep = (performance.now() - start) / steps;
  const parts = head.loopParts();
  const feeds = head.trainingFeeds(batch, random);
  start = performance.now();
  for (let i = 0; i < steps; i++) await parts.program.step(feeds, parts.params);
  const msProgram = (performance.now() - start) / steps;
  console.log(JSON.stringify({ B, tokens, dim, msStep: +msStep.toFixed(2), msProgramStep: +msProgram.toFixed(2) }));
  await head.release();
}
