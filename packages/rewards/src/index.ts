export {
  type ActionDecoder,
  type ActionDistanceOptions,
  actionDistance,
  actionDistanceReward,
} from './action-space-reward.js';
export {
  type ActionSource,
  actionDistanceFunction,
  batchSize,
  type CombinedRewardFunction,
  type CombinedRewards,
  combineRewards,
  editSimilarityFunction,
  exactMatchFunction,
  formatRewardFunction,
  prefixSimilarityFunction,
  type RewardArgs,
  type RewardFunction,
  roboalignRewardFunction,
  type WeightedReward,
} from './batch.js';
export { checkIds, RewardError } from './errors.js';
export {
  extractActionIds,
  extractActionIdsFromText,
  type IdMarkers,
  type TextExtractionOptions,
} from './extract-actions.js';
export { DEFAULT_TEMPLATE, type FormatTemplate, formatReward } from './format-reward.js';
export { commonPrefixLength, prefixSimilarity } from './prefix-similarity.js';
export {
  type RoboAlignRewardOptions,
  type RoboAlignRewardParts,
  roboalignReward,
  roboalignRewardParts,
} from './roboalign-reward.js';
export { editDistance, editSimilarity, exactMatch, normalizedEditDistance } from './sequence-rewards.js';
