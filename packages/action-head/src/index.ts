// States and actions are normalized with the FAST tokenizer package's normalizer (one implementation).
export {
  computeNormStats,
  type NormStats,
  normalize,
  parseNormStats,
  unnormalize,
} from '@roboalign/fast-tokenizer';
export {
  ActionHead,
  buildInferenceGraph,
  type HeadObservation,
  type HeadSample,
  type Observation,
  seededRandom,
} from './action-head.js';
export { ACTION_HEAD_PRESETS, type ActionHeadConfig, PRESETS } from './config.js';
export { type HeadDataset, loadDataset, memoryDataset, saveDataset } from './dataset.js';
export { ActionHeadError } from './errors.js';
export {
  eulerBuckets,
  type FlowBatch,
  flowMatchingBatch,
  gaussian,
  sampleFlowTime,
  timestepBucket,
} from './flow-matching.js';
export { backboneMemory, embodimentLinear, type HeadInputs, velocity } from './model.js';
export { type TrainHeadOptions, trainHead } from './train.js';
