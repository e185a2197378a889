export type { BpeTrainerOptions } from './bpe/bpe-trainer.js';
export { type AddedToken, ByteLevelBpe, type TokenizerJson } from './bpe/byte-level-bpe.js';
export { type ByteLevelBpeTrainOptions, trainByteLevelBpe } from './bpe/train-byte-level-bpe.js';
export { type ActionChunk, type ActionChunkInput, toActionChunk, toRows } from './chunk.js';
export { cleanUpTokenizationSpaces } from './clean-up-spaces.js';
export { dct, dctBasis, idct } from './dct.js';
export { FastTokenizerError } from './errors.js';
export {
  type DecodeFailure,
  type DecodeFailurePolicy,
  type DecodeOptions,
  type DecodeResult,
  FastTokenizer,
  type FastTokenizerConfig,
} from './fast-tokenizer.js';
export { type FitAlphabet, type FitOptions, fitFastTokenizer } from './fit.js';
export {
  fastTokenizerFromHf,
  fastTokenizerToHf,
  type HfTokenizerFiles,
  loadFastTokenizer,
  saveFastTokenizer,
} from './io/hf-layout.js';
export {
  computeNormStats,
  type NormMode,
  type NormStats,
  normalize,
  parseNormStats,
  sortedQuantile,
  unnormalize,
} from './normalize.js';
export { coefficientsToText, quantizeToCodePoints, textToCoefficients } from './quantize.js';
export { roundHalfEven } from './round-half-even.js';
export {
  type ActionVocabMapping,
  type AddedTokenActionMapping,
  type AddedTokenMappingOptions,
  addedTokenActionMapping,
  paligemmaActionMapping,
} from './vocab-mapping.js';
