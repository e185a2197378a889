export type { SessionOptions } from '@roboalign/onnx-train';
export {
  parameterCount,
  parameterShapes,
  type TextConfig,
  tokensPerImage,
  type VisionConfig,
  VLM_PRESETS,
  type VlmArchitecture,
  type VlmConfig,
  type VlmPresetName,
} from './config.js';
export type { ScoreRow } from './data/batch.js';
export {
  type ContentItem,
  type Conversation,
  type ConversationRow,
  type Message,
  type RgbImage,
  type RowSource,
  readConversations,
  readPng,
  type VlmPrompt,
  validateConversation,
} from './data/conversation.js';
export { type EncodedExample, encodeConversation, encodePrompt } from './data/encode.js';
export { VlmError } from './errors.js';
export {
  EXPORTED_FILES,
  type ExportedModels,
  type ExportOnnxOptions,
  exportedPrefillDifference,
  exportOnnx,
} from './export.js';
export { type Features, type FeaturesOptions, features } from './features.js';
export {
  encodePrompts,
  type GenerateOptions,
  type Generation,
  generate,
  type PromptInput,
} from './generate.js';
export type { VlmRuntime } from './model/runtime.js';
export { type VlmCompletion, VlmPolicy, type VlmPolicyOptions } from './policy.js';
export { answerRows, loadSftDataset, type SftDataset, type SftOptions, sft } from './sft.js';
export { chatTemplate, REASONING_TOKENS, SPECIAL_TOKENS } from './tokenizer/chat-template.js';
export {
  saveVlmTokenizer,
  type TrainVlmTokenizerOptions,
  trainVlmTokenizer,
  type VlmTokenizerFiles,
} from './tokenizer/train-tokenizer.js';
export { type VlmTokenIds, VlmTokenizer } from './tokenizer/vlm-tokenizer.js';
export {
  type PatchLabelledImage,
  type PretrainedVision,
  type PretrainVisionOptions,
  patchAccuracy,
  pretrainVision,
} from './vision-pretraining.js';
export {
  type CreateVlmOptions,
  type ScoreOptions,
  type ScoreResult,
  TRAINING_ARENA_GRAPHS,
  Vlm,
} from './vlm.js';
