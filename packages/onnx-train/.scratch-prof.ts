import ort from 'onnxruntime-node';
import { summarizeProfile, profileTable, readProfile } from './src/profile.js';
import { ActionHead, type HeadSample, seededRandom } from '../action-head/src/action-head.js';
import { PRESETS } from '../action-head/src/config.js';
import { gaussian } from '../action-head/src/flow-matching.js';
const orig = ort.InferenceSession.create.bind(ort.InferenceSession);
let last: ort.InferenceSession | undefined;
(ort.InferenceSession as any).create = async (m: any, o: any) => { last = await orig(m, { ...o, enableProfiling: true, profileFilePrefix: '/tmp/hprof' }); return last; };
const B = 32;
const cfg = { ...PRESETS.small, backboneTokens: 38, backboneDim: 128 };
const head = await ActionHead.create(cfg, { batchSize: B, session: { intraOpThreads: 2 } });
const sess = last!;
const random = seededRandom(2);
const sample = (): HeadSample => ({
  features: Float32Array.from({ length: cfg.backboneTokens * cfg.backboneDim }, () => gaussian(random)),
  featureMask: new Float32Array(cfg.backboneTokens).fill(1), state: new Float32Array(cfg.stateDim), embodiment: 0,
  actions: Float32Array.from({ length: cfg.horizon * cfg.actionDim }, () => gaussian(random)),
  actionMask: new Float32Array(cfg.horizon * cfg.actionDim).fill(1),
});
const batch = Array.from({ length: B }, sample);
for (let i = 0; i < 20; i++) await head.trainStep(batch, random);
const s = summarizeProfile(await readProfile(sess, '/tmp/hprof'), 20);
console.log(s.runMs, s.kernelMs); console.log(profileTable(s)); console.log(s.nodes.slice(0, 15));
