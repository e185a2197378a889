import { FastTokenizerError } from './errors.js';

/** A bijection between FAST ids and ids of a language model's vocabulary. */
export interface ActionVocabMapping {
  /** Maps FAST ids to language-model ids. */
  toLm(fastIds: ArrayLike<number>): Int32Array;
  /** Maps language-model ids back to FAST ids; throws on an id outside the action range, naming its position. */
  fromLm(lmIds: ArrayLike<number>): Int32Array;
}

function checkFastIds(ids: ArrayLike<number>, fastVocabSize: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= fastVocabSize) {
      throw new FastTokenizerError(`FAST id at position ${i} is ${id}, outside [0, ${fastVocabSize})`);
    }
  }
}

/**
 * openpi's PaliGemma convention: FAST id `i` becomes `lmVocabSize - 1 - skipTokens - i`, counting down
 * from the end of the vocabulary past `skipTokens` special tokens. The map is its own inverse.
 *
 * @param lmVocabSize the language model's vocabulary size (257152 for PaliGemma)
 * @param fastVocabSize the FAST vocabulary size (2048 for FAST+)
 * @param skipTokens tokens left untouched at the end of the vocabulary (openpi: 128)
 */
export function paligemmaActionMapping(
  lmVocabSize: number,
  fastVocabSize: number,
  skipTokens = 128,
): ActionVocabMapping {
  const top = lmVocabSize - 1 - skipTokens;
  if (top - (fastVocabSize - 1) < 0) {
    throw new FastTokenizerError(
      `a vocabulary of ${lmVocabSize} cannot hold ${fastVocabSize} FAST ids past ${skipTokens}`,
    );
  }
  return {
    toLm(fastIds) {
      checkFastIds(fastIds, fastVocabSize);
      return Int32Array.from(fastIds, (id) => top - id);
    },
    fromLm(lmIds) {
      const out = Int32Array.from(lmIds, (id) => top - id);
      checkFastIds(out, fastVocabSize);
      return out;
    },
  };
}

/** RoboAlign's convention: two marker tokens, then one added token per FAST id, after the base vocabulary. */
export interface AddedTokenActionMapping extends ActionVocabMapping {
  /** Id of the start marker (`<ACTION_START>`), equal to the base vocabulary size. */
  readonly startId: number;
  /** Id of the end marker (`<ACTION_END>`). */
  readonly endId: number;
  /** The added token strings in id order, to register with the language model's tokenizer. */
  readonly addedTokens: readonly string[];
  /** `[startId, ...toLm(fastIds), endId]`: an answer as the language model writes it. */
  wrap(fastIds: ArrayLike<number>): Int32Array;
  /**
   * The FAST ids between the first start marker and the next end marker, or null when either is missing.
   * With `allowUnterminated`, the ids after the first start marker up to the end marker, the first id that
   * is not a FAST token, or the end of the sequence (a generation cut off by its token budget keeps its
   * prefix); null only without a start marker.
   */
  extract(lmIds: ArrayLike<number>, options?: { allowUnterminated?: boolean }): Int32Array | null;
  /** Whether a language-model id is one of the FAST tokens (not a marker). */
  isFastId(lmId: number): boolean;
}

/** Options of {@link addedTokenActionMapping}. */
export interface AddedTokenMappingOptions {
  /** Size of the language model's vocabulary before the action tokens are added. */
  baseVocabSize: number;
  /** Number of FAST ids (the FAST tokenizer's vocabulary size). */
  fastVocabSize: number;
  /** Start marker text; default `<ACTION_START>`. */
  startToken?: string;
  /** End marker text; default `<ACTION_END>`. */
  endToken?: string;
  /** Text of the token for FAST id `i`; default `<FAST_i>`. */
  tokenText?: (fastId: number) => string;
}

/**
 * RoboAlign's convention of added tokens: `<ACTION_START>` gets id `baseVocabSize`, `<ACTION_END>`
 * `baseVocabSize + 1`, and FAST id `i` gets `baseVocabSize + 2 + i`.
 */
export function addedTokenActionMapping(options: AddedTokenMappingOptions): AddedTokenActionMapping {
  const { baseVocabSize, fastVocabSize } = options;
  if (!Number.isInteger(baseVocabSize) || baseVocabSize < 0) {
    throw new FastTokenizerError(`baseVocabSize must be a non-negative integer, got ${baseVocabSize}`);
  }
  if (!Number.isInteger(fastVocabSize) || fastVocabSize < 1) {
    throw new FastTokenizerError(`fastVocabSize must be a positive integer, got ${fastVocabSize}`);
  }
  const tokenText = options.tokenText ?? ((i: number) => `<FAST_${i}>`);
  const startId = baseVocabSize;
  const endId = baseVocabSize + 1;
  const first = baseVocabSize + 2;
  const addedTokens = [options.startToken ?? '<ACTION_START>', options.endToken ?? '<ACTION_END>'];
  for (let i = 0; i < fastVocabSize; i++) addedTokens.push(tokenText(i));
  const toLm = (fastIds: ArrayLike<number>) => {
    checkFastIds(fastIds, fastVocabSize);
    return Int32Array.from(fastIds, (id) => first + id);
  };
  const fromLm = (lmIds: ArrayLike<number>) => {
    const out = Int32Array.from(lmIds, (id) => id - first);
    checkFastIds(out, fastVocabSize);
    return out;
  };
  const isFastId = (lmId: number) => Number.isInteger(lmId) && lmId >= first && lmId < first + fastVocabSize;
  return {
    startId,
    endId,
    addedTokens,
    toLm,
    fromLm,
    wrap(fastIds) {
      const out = new Int32Array(fastIds.length + 2);
      out[0] = startId;
      out.set(toLm(fastIds), 1);
      out[out.length - 1] = endId;
      return out;
    },
    extract(lmIds, extractOptions = {}) {
      const ids = Array.from(lmIds);
      const start = ids.indexOf(startId);
      if (start < 0) return null;
      if (extractOptions.allowUnterminated) {
        let end = start + 1;
        while (end < ids.length && isFastId(ids[end])) end++;
        return fromLm(ids.slice(start + 1, end));
      }
      const end = ids.indexOf(endId, start + 1);
      if (end < 0) return null;
      return fromLm(ids.slice(start + 1, end));
    },
    isFastId,
  };
}
