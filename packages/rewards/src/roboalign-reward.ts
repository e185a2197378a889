import {
  extractActionIds,
  extractActionIdsFromText,
  type IdMarkers,
  type TextExtractionOptions,
} from './extract-actions.js';
import { DEFAULT_TEMPLATE, formatReward } from './format-reward.js';
import { prefixSimilarity } from './prefix-similarity.js';

/** Options of {@link roboalignReward}. */
export interface RoboAlignRewardOptions extends TextExtractionOptions {
  /** Weights of the two parts; default 0.5 each, the paper's mean. */
  weights?: { format?: number; accuracy?: number };
  /** Completion token ids; when given with `idMarkers`, action ids are read from them instead of the text. */
  completionIds?: ArrayLike<number>;
  /** Marker token ids for `completionIds`. */
  idMarkers?: IdMarkers;
  /**
   * The completion's action ids when the caller has already read them (e.g. mapped back from a language
   * model's added-token ids); `null` means none were found. Takes precedence over `completionIds` and the text.
   */
  actionIds?: ArrayLike<number> | null;
}

/** The reward and its parts. */
export interface RoboAlignRewardParts {
  reward: number;
  /** 1 when the completion has the reasoning-then-answer format, else 0. */
  format: number;
  /** Prefix similarity of the extracted action ids to the target (0 when none could be extracted). */
  accuracy: number;
  /** The extracted action ids, or null. */
  actionIds: Int32Array | null;
}

/** {@link roboalignReward} with its parts. */
export function roboalignRewardParts(
  completion: string,
  targetIds: ArrayLike<number>,
  options: RoboAlignRewardOptions = {},
): RoboAlignRewardParts {
  const format = formatReward(completion, options.template ?? DEFAULT_TEMPLATE);
  const actionIds =
    options.actionIds !== undefined
      ? options.actionIds === null
        ? null
        : Int32Array.from(options.actionIds)
      : options.completionIds !== undefined && options.idMarkers !== undefined
        ? extractActionIds(options.completionIds, options.idMarkers)
        : extractActionIdsFromText(completion, options);
  const accuracy = actionIds === null ? 0 : prefixSimilarity(actionIds, targetIds);
  const wf = options.weights?.format ?? 0.5;
  const wa = options.weights?.accuracy ?? 0.5;
  return { reward: wf * format + wa * accuracy, format, accuracy, actionIds };
}

/**
 * RoboAlign's GRPO reward: the mean of the format reward and the action accuracy (prefix similarity of
 * the FAST ids in the answer to the target ids). Other mixtures through `options.weights`.
 *
 * @example
 * roboalignReward('<think>move left</think><answer><ACTION_START><FAST_4><FAST_9><ACTION_END></answer>', [4, 8]);
 * // (1 + 0.5) / 2 = 0.75
 */
export function roboalignReward(
  completion: string,
  targetIds: ArrayLike<number>,
  options: RoboAlignRewardOptions = {},
): number {
  return roboalignRewardParts(completion, targetIds, options).reward;
}
