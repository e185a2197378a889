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
export {
  activeActionMask,
  chunkAt,
  type DemonstrationArrays,
  type EpisodeSampleOptions,
  type EpisodeStep,
  type EpisodeValues,
  episodeStateStats,
  episodeSteps,
  type HeadFeatures,
  headSamplesFromEpisodes,
  headState,
  type SampleLayout,
  sampleLayout,
} from './episode-samples.js';
export { ActionHeadError } from './errors.js';
export {
  eulerBuckets,
  type FlowBatch,
  flowMatchingBatch,
  gaussian,
  sampleFlowTime,
  timestepBucket,
} from './flow-matching.js';
export {
  chunkSeed,
  chunkToActions,
  type HeadPolicy,
  type HeadPolicyOptions,
  headPolicy,
  type RobotActionChunk,
  type StateObservation,
} from './head-policy.js';
export { backboneMemory, embodimentLinear, type HeadInputs, velocity } from './model.js';
export { type HeadSchedule, type TrainHeadOptions, trainHead } from './train.js';
