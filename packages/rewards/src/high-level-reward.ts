import { answerText } from './answer-text.js';
import { RewardError } from './errors.js';
import { DEFAULT_TEMPLATE, type FormatTemplate, formatReward } from './format-reward.js';

/**
 * Canonical form of a high-level action phrase, so that case, spacing and a closing full stop are not
 * counted as errors. In this order: lower-case (locale-independent `toLowerCase`), replace every run of
 * white space (JavaScript `\s`, line breaks included) by one space, trim, then remove trailing full stops
 * and the spaces between them. Nothing else changes: articles, other punctuation and word order are kept,
 * because the targets come from a fixed vocabulary that the model should reproduce word for word.
 *
 * @example
 * normalizePhrase('  Lift the RED\n block. '); // 'lift the red block'
 * normalizePhrase('Open the gripper . .'); // 'open the gripper'
 */
export function normalizePhrase(text: string): string {
  const s = text.toLowerCase().replace(/\s+/g, ' ').trim();
  let end = s.length;
  while (end > 0 && (s[end - 1] === '.' || s[end - 1] === ' ')) end--;
  return s.slice(0, end);
}

/**
 * The verb of a phrase: the first word of its {@link normalizePhrase | normalized} form (the text before
 * the first space), or `''` for a phrase that normalizes to nothing. Always one word, so `move above the
 * red block`, `move behind the red block` and `move the gripper up` share the verb `move`.
 *
 * @example
 * phraseVerb('Lower the red block onto the plate.'); // 'lower'
 */
export function phraseVerb(text: string): string {
  const phrase = normalizePhrase(text);
  const space = phrase.indexOf(' ');
  return space < 0 ? phrase : phrase.slice(0, space);
}

/** Options of {@link highLevelAccuracy}. */
export interface HighLevelOptions {
  /** Tags of the answer block; default `<answer>` … `</answer>`. */
  template?: FormatTemplate;
  /** Credit for a wrong phrase with the right verb; default 0.5, in [0, 1]. */
  verbCredit?: number;
}

function checkTargetPhrase(target: unknown): string {
  if (typeof target !== 'string') {
    throw new RewardError(
      `target phrase: expected a string, got ${target === null ? 'null' : typeof target}`,
    );
  }
  const phrase = normalizePhrase(target);
  if (phrase === '') throw new RewardError('target phrase is empty: high-level accuracy is undefined');
  return phrase;
}

function scorePhrase(answer: string, target: string, verbCredit: number): number {
  if (!(verbCredit >= 0 && verbCredit <= 1)) {
    throw new RewardError(`verbCredit must be in [0, 1], got ${verbCredit}`);
  }
  if (answer === target) return 1;
  return answer !== '' && phraseVerb(answer) === phraseVerb(target) ? verbCredit : 0;
}

/**
 * Accuracy of a predicted high-level action phrase (the robot's next sub-step, e.g. `lift the red block`).
 * The answer is the inside of the completion's first `<answer>…</answer>` block, or the whole completion
 * when it has none ({@link answerText}). With both phrases {@link normalizePhrase | normalized}:
 * - 1 when they are equal;
 * - `verbCredit` (0.5) when they differ but have the same {@link phraseVerb | verb} (first word);
 * - 0 otherwise, and for an empty answer.
 *
 * Throws `RewardError` when the target is not a string or normalizes to nothing.
 *
 * @example
 * highLevelAccuracy('<answer>Lift the red block.</answer>', 'lift the red block'); // 1
 * highLevelAccuracy('<answer>lift the blue block</answer>', 'lift the red block'); // 0.5
 * highLevelAccuracy('<answer>open the gripper</answer>', 'lift the red block'); // 0
 */
export function highLevelAccuracy(
  completion: string,
  target: string,
  options: HighLevelOptions = {},
): number {
  const want = checkTargetPhrase(target);
  const got = normalizePhrase(answerText(completion, options.template ?? DEFAULT_TEMPLATE));
  return scorePhrase(got, want, options.verbCredit ?? 0.5);
}

/** Options of {@link highLevelReward}. */
export interface HighLevelRewardOptions extends HighLevelOptions {
  /** Weights of the two parts; default 0.5 each, the mean RoboAlign uses. */
  weights?: { format?: number; accuracy?: number };
}

/** The reward and its parts. */
export interface HighLevelRewardParts {
  reward: number;
  /** 1 when the completion has the reasoning-then-answer format, else 0. */
  format: number;
  /** {@link highLevelAccuracy}: 1, the verb credit, or 0. */
  accuracy: number;
  /** The normalized answer phrase that was scored (`''` when empty). */
  answer: string;
}

/** {@link highLevelReward} with its parts. */
export function highLevelRewardParts(
  completion: string,
  target: string,
  options: HighLevelRewardOptions = {},
): HighLevelRewardParts {
  const template = options.template ?? DEFAULT_TEMPLATE;
  const want = checkTargetPhrase(target);
  const answer = normalizePhrase(answerText(completion, template));
  const accuracy = scorePhrase(answer, want, options.verbCredit ?? 0.5);
  const format = formatReward(completion, template);
  const wf = options.weights?.format ?? 0.5;
  const wa = options.weights?.accuracy ?? 0.5;
  return { reward: wf * format + wa * accuracy, format, accuracy, answer };
}

/**
 * Reward for predicting the next high-level action as a phrase, one of the paper's alternative
 * alignment targets: the mean of the format reward and {@link highLevelAccuracy}, combined as
 * RoboAlign combines format and action accuracy. Other mixtures through `options.weights`.
 *
 * @example
 * highLevelReward('<think>the block is grasped</think><answer>lift the red block</answer>', 'lift the red block');
 * // (1 + 1) / 2 = 1
 * highLevelReward('<think>grasped</think><answer>lift the blue block</answer>', 'lift the red block');
 * // (1 + 0.5) / 2 = 0.75
 */
export function highLevelReward(
  completion: string,
  target: string,
  options: HighLevelRewardOptions = {},
): number {
  return highLevelRewardParts(completion, target, options).reward;
}
