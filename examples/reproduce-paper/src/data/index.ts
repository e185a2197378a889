export { actionTokensText, parseActionTokens } from './action-text.js';
export {
  type ActionNormalization,
  ActionTokenizer,
  actionNormStats,
  loadActionTokenizer,
  NORMALIZATION_FILE,
} from './action-tokenizer.js';
export {
  ALTERNATIVE_RL_SOURCES,
  type AlternativeRlDataOptions,
  type AlternativeTarget,
  generateAlternativeRlData,
} from './alternative-rl-data.js';
export {
  ALTERNATIVE_SFT_SOURCES,
  type AlternativeSftDataOptions,
  generateAlternativeSftData,
} from './alternative-sft-data.js';
export {
  alternativeTargetFacts,
  TRAJECTORY_STRIDE,
  trajectoryPixels,
  trajectoryText,
} from './alternative-targets.js';
export {
  type DataStageOptions,
  type DataStageResult,
  defaultTokenizerEpisodes,
  generateData,
} from './data-stage.js';
export { datasetFiles, readDataset } from './dataset-files.js';
export {
  fastPrompt,
  highLevelPrompt,
  rlPrompt,
  thinkActAnswer,
  thinkText,
  trajectoryPrompt,
} from './fast-prompts.js';
export { type FitActionTokenizerOptions, fitActionTokenizer } from './fit-action-tokenizer.js';
export {
  type AlternativeDatasets,
  type AlternativeSftDatasets,
  type CoreDatasets,
  type CoreSource,
  type DatasetConfig,
  type GeneratedData,
  generateDataset,
  IN_THREAD_BELOW,
  MAX_RL_SHARE,
  rlCount,
  type SftSource,
  type SourceCounts,
  TOKENIZER_DIR,
} from './generate-dataset.js';
export {
  datasetName,
  type EpisodeSourceOptions,
  type FastActionsOptions,
  type GeneralVqaOptions,
  generateFastActions,
  generateGeneralVqa,
  generateReasoning,
  generateRobotVqa,
  type ReasoningOptions,
  type RobotVqaOptions,
} from './generate-sources.js';
export { DATA_PRESETS, type DataPreset, type DataPresetName } from './presets.js';
export { chooseRlRows, generateRlData, promptImages, type RlDataOptions } from './rl-data.js';
export { EVALUATION_CHAINS, evaluationSeeds, seedOutside, unitSeed } from './seeds.js';
export { DEFAULT_STATE_BINS, stateText } from './state-text.js';
export { corpusText, readTextCorpus, TEXT_CORPUS_FILE, writeTextCorpus } from './text-corpus.js';
export type {
  AlternativeRlSource,
  AlternativeSftSource,
  ChatRow,
  DatasetManifest,
  FastRow,
  GeneratedDataset,
  GenerateOptions,
  HighLevelRlRow,
  RlRow,
  RowLabel,
  SourceName,
  Split,
  TrajectoryRlRow,
} from './types.js';
export { UnitPool } from './unit-pool.js';
