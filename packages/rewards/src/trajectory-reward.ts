import { answerText } from './answer-text.js';
import { RewardError } from './errors.js';
import { DEFAULT_TEMPLATE, type FormatTemplate, formatReward } from './format-reward.js';

/** A pixel position `[x, y]` in the image. */
export type TrajectoryPoint = readonly [number, number];

/** The image the trajectory is drawn in: a square side length, or width and height, in pixels. */
export type ImageSize = { imageSize: number } | { width: number; height: number };

/** Options of {@link trajectoryAccuracy}. */
export type TrajectoryOptions = ImageSize & {
  /** Tags of the answer block; default `<answer>` … `</answer>`. */
  template?: FormatTemplate;
};

/** Options of {@link trajectoryReward}. */
export type TrajectoryRewardOptions = TrajectoryOptions & {
  /** Weights of the two parts; default 0.5 each, the mean RoboAlign uses. */
  weights?: { format?: number; accuracy?: number };
};

function positive(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RewardError(`${what} must be a positive number of pixels, got ${String(value)}`);
  }
  return value;
}

/**
 * The length pixel distances are divided by: `imageSize`, or the longer of `width` and `height` (so a
 * square image's side either way). Throws `RewardError` naming the field when a size is missing, not a
 * number, or not positive.
 *
 * @example
 * imageScale({ imageSize: 48 }); // 48
 * imageScale({ width: 64, height: 48 }); // 64
 */
export function imageScale(size: ImageSize): number {
  const s: { imageSize?: unknown; width?: unknown; height?: unknown } = size ?? {};
  if (s.imageSize !== undefined) return positive(s.imageSize, 'imageSize');
  if (s.width === undefined && s.height === undefined) {
    throw new RewardError('image size is missing: pass { imageSize } or { width, height }');
  }
  return Math.max(positive(s.width, 'image width'), positive(s.height, 'image height'));
}

const show = (p: unknown) => (Array.isArray(p) ? `[${p.map(String).join(', ')}]` : String(p));

/**
 * Checks that a target trajectory is a non-empty array of `[x, y]` pairs of finite numbers; `what` names
 * it in the error (e.g. `column "target_trajectory" of sample 3`).
 */
export function checkTrajectory(
  target: unknown,
  what: string,
): asserts target is ReadonlyArray<TrajectoryPoint> {
  if (!Array.isArray(target)) {
    throw new RewardError(
      `${what}: expected an array of [x, y] points, got ${target === null ? 'null' : typeof target}`,
    );
  }
  if (target.length === 0) throw new RewardError(`${what} is empty: trajectory accuracy is undefined`);
  target.forEach((p: unknown, i) => {
    const ok =
      Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new RewardError(`${what}: point ${i} is ${show(p)}, not an [x, y] pair of finite numbers`);
  });
}

const PAIR = '\\(\\s*-?\\d+\\s*,\\s*-?\\d+\\s*\\)';
// `[`, one or more pairs separated by commas, an optional trailing comma, `]`; white space anywhere between.
const LIST = new RegExp(`\\[\\s*${PAIR}(?:\\s*,\\s*${PAIR})*(?:\\s*,)?\\s*\\]`);
const PAIRS = /\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)/g;

/**
 * Parses a point trajectory written as text: the first well-formed list `[(x,y), (x,y), …]` of integer
 * pairs (white space allowed anywhere between tokens, negative numbers allowed, a trailing comma allowed,
 * at least one pair) inside the first `<answer>…</answer>` block, or anywhere in the text when it has no
 * answer block. Returns null when there is no such list or a coordinate is not a safe integer. A list with
 * a malformed pair (e.g. `(3.5,4)`) is not well formed, so a later list is taken instead.
 *
 * @example
 * parseTrajectory('<answer>[(12,30), (13,29), (15,27)]</answer>'); // [[12, 30], [13, 29], [15, 27]]
 * parseTrajectory('[( -2 , 7 )]'); // [[-2, 7]]
 * parseTrajectory('<answer>up and left</answer>'); // null
 */
export function parseTrajectory(
  text: string,
  template: FormatTemplate = DEFAULT_TEMPLATE,
): Array<[number, number]> | null {
  const list = LIST.exec(answerText(text, template));
  if (list === null) return null;
  const points: Array<[number, number]> = [];
  for (const m of list[0].matchAll(PAIRS)) {
    const x = Number(m[1]);
    const y = Number(m[2]);
    if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) return null;
    points.push([x, y]);
  }
  return points;
}

function scoreTrajectory(
  predicted: ReadonlyArray<TrajectoryPoint> | null,
  target: ReadonlyArray<TrajectoryPoint>,
  scale: number,
): number {
  let sum = 0;
  for (let i = 0; i < target.length; i++) {
    const p = predicted?.[i];
    sum += p === undefined ? 1 : Math.min(1, Math.hypot(p[0] - target[i][0], p[1] - target[i][1]) / scale);
  }
  return 1 - sum / target.length;
}

/**
 * Accuracy of a predicted point trajectory (the end effector's projected pixel positions over the next
 * steps) against the target: `1 - mean_i min(1, d_i / L)`, where the mean runs over the target's points,
 * `d_i` is the Euclidean pixel distance between the i-th predicted and target points, and `L` is
 * {@link imageScale} (the side of a square image, the longer side otherwise). So it lies in [0, 1], and:
 * - a target point with no predicted point (a prediction shorter than the target) counts as distance `L`
 *   (normalized distance 1, the most a point can cost);
 * - predicted points beyond the target's length are ignored;
 * - an unparsable prediction ({@link parseTrajectory} gives null) scores 0.
 *
 * Throws `RewardError` for an empty or malformed target and for a missing or non-positive image size.
 *
 * @example
 * // 48×48 image, every point off by (3, 4): distance 5, accuracy 1 - 5/48
 * trajectoryAccuracy('<answer>[(15,34),(16,33)]</answer>', [[12, 30], [13, 29]], { imageSize: 48 });
 */
export function trajectoryAccuracy(
  completion: string,
  target: ReadonlyArray<TrajectoryPoint>,
  options: TrajectoryOptions,
): number {
  const scale = imageScale(options);
  checkTrajectory(target, 'target trajectory');
  return scoreTrajectory(parseTrajectory(completion, options.template ?? DEFAULT_TEMPLATE), target, scale);
}

/** The reward and its parts. */
export interface TrajectoryRewardParts {
  reward: number;
  /** 1 when the completion has the reasoning-then-answer format, else 0. */
  format: number;
  /** {@link trajectoryAccuracy}. */
  accuracy: number;
  /** The parsed predicted trajectory, or null. */
  trajectory: Array<[number, number]> | null;
}

/** {@link trajectoryReward} with its parts. */
export function trajectoryRewardParts(
  completion: string,
  target: ReadonlyArray<TrajectoryPoint>,
  options: TrajectoryRewardOptions,
): TrajectoryRewardParts {
  const scale = imageScale(options);
  checkTrajectory(target, 'target trajectory');
  const template = options.template ?? DEFAULT_TEMPLATE;
  const trajectory = parseTrajectory(completion, template);
  const accuracy = scoreTrajectory(trajectory, target, scale);
  const format = formatReward(completion, template);
  const wf = options.weights?.format ?? 0.5;
  const wa = options.weights?.accuracy ?? 0.5;
  return { reward: wf * format + wa * accuracy, format, accuracy, trajectory };
}

/**
 * Reward for predicting the end effector's pixel trajectory, one of the paper's alternative alignment
 * targets: the mean of the format reward and {@link trajectoryAccuracy}, combined as RoboAlign combines
 * format and action accuracy. Other mixtures through `options.weights`.
 *
 * @example
 * trajectoryReward('<think>down and right</think><answer>[(15,34)]</answer>', [[12, 30]], { imageSize: 48 });
 * // (1 + (1 - 5/48)) / 2
 */
export function trajectoryReward(
  completion: string,
  target: ReadonlyArray<TrajectoryPoint>,
  options: TrajectoryRewardOptions,
): number {
  return trajectoryRewardParts(completion, target, options).reward;
}
