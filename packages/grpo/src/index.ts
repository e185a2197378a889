export { completionMask } from './completion-mask.js';
export { GrpoError } from './errors.js';
export {
  computeGroupAdvantages,
  type GroupAdvantageOptions,
  type GroupAdvantageResult,
  groupAdvantages,
  type ScaleRewards,
  ZERO_STD,
} from './group-advantages.js';
export { jsonlWriter, writeJsonAtomic } from './io/jsonl.js';
export { KL_LOG_RATIO_CLAMP, KL_VALUE_CLAMP, k3 } from './kl.js';
export {
  type AggregationOptions,
  aggregationWeights,
  LOSS_TYPES,
  type LossType,
} from './loss-aggregation.js';
export type { Completion, LanguagePolicy, Policy, ReferencePolicy } from './policy.js';
export {
  type PolicyLossBatch,
  type PolicyLossOptions,
  type PolicyLossResult,
  policyLoss,
} from './policy-loss.js';
export { GRPO_PRESETS, type GrpoPreset, type GrpoPresetName, PRESETS, type PresetName } from './presets.js';
export {
  clippedSurrogate,
  dualClip,
  dualClipBinds,
  importanceRatio,
  type TokenTerm,
} from './surrogate.js';
export {
  concatRollouts,
  type DynamicSamplingOptions,
  type GrpoBatch,
  type GrpoReward,
  type GrpoRewardArgs,
  type GrpoRewardFunction,
  type GrpoRollout,
  GrpoTrainer,
  type GrpoTrainerOptions,
  variedGroups,
} from './trainer.js';
