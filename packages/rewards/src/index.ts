export {
  type ActionDecoder,
  type ActionDistanceOptions,
  actionDistance,
  actionDistanceReward,
} from './action-space-reward.js';
export { answerText } from './answer-text.js';
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
  type HighLevelRewardFunctionOptions,
  highLevelRewardFunction,
  prefixSimilarityFunction,
  type RewardArgs,
  type RewardFunction,
  roboalignRewardFunction,
  type TrajectoryRewardFunctionOptions,
  trajectoryRewardFunction,
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
export {
  type HighLevelOptions,
  type HighLevelRewardOptions,
  type HighLevelRewardParts,
  highLevelAccuracy,
  highLevelReward,
  highLevelRewardParts,
  normalizePhrase,
  phraseVerb,
} from './high-level-reward.js';
export { commonPrefixLength, prefixSimilarity } from './prefix-similarity.js';
export {
  type RoboAlignRewardOptions,
  type RoboAlignRewardParts,
  roboalignReward,
  roboalignRewardParts,
} from './roboalign-reward.js';
export { editDistance, editSimilarity, exactMatch, normalizedEditDistance } from './sequence-rewards.js';
export {
  checkTrajectory,
  type ImageSize,
  imageScale,
  parseTrajectory,
  type TrajectoryOptions,
  type TrajectoryPoint,
  type TrajectoryRewardOptions,
  type TrajectoryRewardParts,
  trajectoryAccuracy,
  trajectoryReward,
  trajectoryRewardParts,
} from './trajectory-reward.js';
