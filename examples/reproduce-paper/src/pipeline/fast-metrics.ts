import type { FastTokenizer } from '@roboalign/fast-tokenizer';
import { type ActionDecoder, prefixSimilarity } from '@roboalign/rewards';
import { mean } from './mean.js';

/** How a language model's greedy FAST answers compare with the expert's chunks, and with trivial answers. */
export interface FastAnswerScores {
  /** Mean prefix similarity of the answers' FAST ids to the targets (0 for an answer without action ids). */
  prefixSimilarity: number;
  /**
   * Mean absolute error of the answers against the decoded targets (normalized units), over answers with
   * action ids, each decoded as LeRobot does: coefficients padded with zeros or cut to the chunk's size
   * (one wrong token often changes the count, and a strict decode would score nothing). NaN without any.
   */
  actionMae: number;
  /** The same error for always answering the training set's mean chunk, over the same prompts as `actionMae` (all prompts when no answer has ids). */
  meanChunkMae: number;
  /** Share of answers that decode to a whole chunk exactly (no padding or cutting). */
  decodeRate: number;
  /** Distinct answers (as FAST id sequences; no action ids counts as one answer) over prompts. */
  distinctAnswers: number;
  /** Per prompt, in order: prefix similarity, and the action error (null without action ids), for paired tests. */
  perPrompt: { prefixSimilarity: number[]; actionMae: (number | null)[] };
}

/** The shape FAST ids decode to. */
export interface ChunkShape {
  horizon: number;
  dim: number;
}

function meanAbsoluteError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += Math.abs(a[i] - b[i]);
  return s / b.length;
}

/** Decodes a target chunk; a target that does not decode is a bug in the data, not a miss. */
function decodeTarget(fast: FastTokenizer, ids: readonly number[], shape: ChunkShape): Float64Array {
  const decoded = fast.decode([ids], shape);
  if (!decoded.ok[0]) throw new Error(`a target chunk does not decode (FAST ids ${ids.join(',')})`);
  return Float64Array.from(decoded.actions[0]);
}

/**
 * FAST ids to a chunk as {@link scoreFastAnswers} decodes answers: coefficients padded or cut to the shape.
 * An empty answer does not decode (the evaluation scores no error for it). For `actionDistanceReward`.
 */
export function paddedFastDecoder(fast: FastTokenizer, shape: ChunkShape): ActionDecoder {
  return (ids) =>
    ids.length === 0
      ? null
      : { actions: fast.decode([ids], { ...shape, onError: 'pad' }).actions[0], ok: true };
}

/** The element-wise mean of the decoded training chunks (normalized units). */
export function meanChunk(
  fast: FastTokenizer,
  targets: readonly (readonly number[])[],
  shape: ChunkShape,
): Float64Array {
  if (targets.length === 0) throw new Error('meanChunk: no training targets');
  const sum = new Float64Array(shape.horizon * shape.dim);
  for (const ids of targets) {
    const chunk = decodeTarget(fast, ids, shape);
    for (let i = 0; i < sum.length; i++) sum[i] += chunk[i];
  }
  return sum.map((v) => v / targets.length);
}

/**
 * The best constant answer: the training answer whose mean prefix similarity over the training targets is
 * highest (ties: the first), scored on the held-out targets. A model that learned only the marginal of the
 * answers reaches this without reading its input.
 */
export function constantBaseline(
  trainTargets: readonly (readonly number[])[],
  heldOutTargets: readonly (readonly number[])[],
): { answer: readonly number[]; train: number; heldOut: number } {
  if (trainTargets.length === 0 || heldOutTargets.length === 0)
    throw new Error('constantBaseline: needs training and held-out targets');
  const candidates = [...new Map(trainTargets.map((t) => [t.join(','), t])).values()];
  let best = candidates[0];
  let bestScore = -1;
  for (const candidate of candidates) {
    const score = mean(trainTargets.map((t) => prefixSimilarity(candidate, t)));
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return {
    answer: best,
    train: bestScore,
    heldOut: mean(heldOutTargets.map((t) => prefixSimilarity(best, t))),
  };
}

/**
 * Scores greedy answers (their FAST ids, null without any) against their targets: prefix similarity, action
 * error beside the mean-chunk answer's, the share that decodes exactly and the share of distinct answers.
 */
export function scoreFastAnswers(
  answers: readonly (ArrayLike<number> | null)[],
  targets: readonly (readonly number[])[],
  fast: FastTokenizer,
  shape: ChunkShape,
  trainingMean: ArrayLike<number>,
): FastAnswerScores {
  if (answers.length !== targets.length)
    throw new Error(`scoreFastAnswers: ${answers.length} answers for ${targets.length} targets`);
  const modelErrors: number[] = [];
  const meanErrors: number[] = [];
  const allMeanErrors: number[] = [];
  const perPromptError: (number | null)[] = [];
  let whole = 0;
  answers.forEach((ids, i) => {
    const target = decodeTarget(fast, targets[i], shape);
    const meanError = meanAbsoluteError(trainingMean, target);
    allMeanErrors.push(meanError);
    if (ids === null || ids.length === 0) {
      perPromptError.push(null);
      return;
    }
    const decoded = fast.decode([ids], { ...shape, onError: 'pad' });
    if (decoded.ok[0]) whole++;
    const error = meanAbsoluteError(decoded.actions[0], target);
    modelErrors.push(error);
    perPromptError.push(error);
    meanErrors.push(meanError);
  });
  const similarities = answers.map((ids, i) => (ids ? prefixSimilarity(ids, targets[i]) : 0));
  const distinct = new Set(answers.map((ids) => (ids === null ? 'none' : Array.from(ids).join(','))));
  return {
    prefixSimilarity: mean(similarities),
    actionMae: mean(modelErrors),
    meanChunkMae: mean(meanErrors.length > 0 ? meanErrors : allMeanErrors),
    decodeRate: answers.length ? whole / answers.length : Number.NaN,
    distinctAnswers: answers.length ? distinct.size / answers.length : Number.NaN,
    perPrompt: { prefixSimilarity: similarities, actionMae: perPromptError },
  };
}
