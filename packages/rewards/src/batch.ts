import { type ActionDistanceOptions, actionDistanceReward } from './action-space-reward.js';
import { checkIds, RewardError } from './errors.js';
import {
  extractActionIds,
  extractActionIdsFromText,
  type IdMarkers,
  type TextExtractionOptions,
} from './extract-actions.js';
import { DEFAULT_TEMPLATE, type FormatTemplate, formatReward } from './format-reward.js';
import { type HighLevelRewardOptions, highLevelReward } from './high-level-reward.js';
import { prefixSimilarity } from './prefix-similarity.js';
import { type RoboAlignRewardOptions, roboalignRewardParts } from './roboalign-reward.js';
import { editSimilarity, exactMatch } from './sequence-rewards.js';
import {
  checkTrajectory,
  imageScale,
  parseTrajectory,
  type TrajectoryPoint,
  type TrajectoryRewardOptions,
  trajectoryReward,
} from './trajectory-reward.js';

/**
 * What an RL library hands a reward function for one batch (the shape TRL's reward functions receive):
 * prompts, completions (text, and token ids when available) and per-sample dataset columns.
 */
export interface RewardArgs {
  prompts: readonly string[];
  completions: readonly string[];
  completionIds?: readonly ArrayLike<number>[];
  /** Dataset columns, one value per sample (e.g. `target_ids`). */
  columns?: Readonly<Record<string, readonly unknown[]>>;
}

/** A batch reward function: one number per completion. */
export type RewardFunction = (args: RewardArgs) => number[];

/** Number of samples, after checking that every per-sample input has that length. */
export function batchSize(args: RewardArgs, name: string): number {
  const n = args.completions.length;
  const check = (what: string, length: number) => {
    if (length !== n)
      throw new RewardError(`${name}: ${what} has ${length} entries but there are ${n} completions`);
  };
  check('prompts', args.prompts.length);
  if (args.completionIds !== undefined) check('completionIds', args.completionIds.length);
  for (const [key, values] of Object.entries(args.columns ?? {})) check(`column "${key}"`, values.length);
  return n;
}

function columnOf(args: RewardArgs, key: string, name: string): readonly unknown[] {
  const values = args.columns?.[key];
  if (values === undefined) throw new RewardError(`${name}: missing column "${key}"`);
  return values;
}

function targetAt(values: readonly unknown[], i: number, name: string, key: string): ArrayLike<number> {
  const target = values[i] as ArrayLike<number>;
  checkIds(target, `${name}: column "${key}" of sample ${i}`);
  return target;
}

/** Scores each sample with `score`, checking the batch and that every reward is a finite number. */
function perSample(name: string, args: RewardArgs, score: (i: number) => number): number[] {
  const n = batchSize(args, name);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let r: number;
    try {
      r = score(i);
    } catch (err) {
      if (err instanceof RewardError && !err.message.startsWith(name)) {
        throw new RewardError(`${name}: sample ${i}: ${err.message}`);
      }
      throw err;
    }
    if (typeof r !== 'number' || !Number.isFinite(r))
      throw new RewardError(`${name}: sample ${i}: reward is ${r}`);
    out.push(r);
  }
  return out;
}

/** Where batch rewards find action ids: marker ids in `completionIds`, else the completion text. */
export interface ActionSource extends TextExtractionOptions {
  /** Column holding each sample's target FAST ids; default `target_ids`. */
  targetColumn?: string;
  /** Marker ids; when set and `completionIds` are given, ids are read from them. */
  idMarkers?: IdMarkers;
}

function extracted(args: RewardArgs, i: number, source: ActionSource): Int32Array | null {
  if (source.idMarkers !== undefined && args.completionIds !== undefined) {
    return extractActionIds(args.completionIds[i], source.idMarkers);
  }
  return extractActionIdsFromText(args.completions[i], source);
}

/** Batch {@link formatReward}. */
export function formatRewardFunction(template: FormatTemplate = DEFAULT_TEMPLATE): RewardFunction {
  return (args) => perSample('formatReward', args, (i) => formatReward(args.completions[i], template));
}

/** Builds a batch reward from a per-sample score of extracted ids against the target column. */
function idReward(
  name: string,
  source: ActionSource,
  score: (ids: Int32Array | null, target: ArrayLike<number>) => number,
): RewardFunction {
  const key = source.targetColumn ?? 'target_ids';
  return (args) => {
    const targets = columnOf(args, key, name);
    return perSample(name, args, (i) => score(extracted(args, i, source), targetAt(targets, i, name, key)));
  };
}

/** Batch {@link prefixSimilarity} of the extracted action ids (0 when none) against `target_ids`. */
export function prefixSimilarityFunction(source: ActionSource = {}): RewardFunction {
  return idReward('prefixSimilarity', source, (ids, target) =>
    ids === null ? 0 : prefixSimilarity(ids, target),
  );
}

/** Batch {@link exactMatch} of the extracted action ids against `target_ids`. */
export function exactMatchFunction(source: ActionSource = {}): RewardFunction {
  return idReward('exactMatch', source, (ids, target) => (ids === null ? 0 : exactMatch(ids, target)));
}

/** Batch {@link editSimilarity} (1 - normalized edit distance) of the extracted action ids against `target_ids`. */
export function editSimilarityFunction(source: ActionSource = {}): RewardFunction {
  return idReward('editSimilarity', source, (ids, target) =>
    ids === null ? 0 : editSimilarity(ids, target),
  );
}

/** Batch {@link actionDistanceReward} of the extracted action ids against `target_ids`. */
export function actionDistanceFunction(options: ActionDistanceOptions & ActionSource): RewardFunction {
  return idReward('actionDistance', options, (ids, target) =>
    ids === null ? 0 : actionDistanceReward(ids, target, options),
  );
}

/** Batch RoboAlign reward: mean of format and prefix similarity, against `target_ids`. */
export function roboalignRewardFunction(options: RoboAlignRewardOptions & ActionSource = {}): RewardFunction {
  const key = options.targetColumn ?? 'target_ids';
  return (args) => {
    const targets = columnOf(args, key, 'roboalignReward');
    return perSample('roboalignReward', args, (i) => {
      const completionIds = options.idMarkers !== undefined ? args.completionIds?.[i] : undefined;
      const target = targetAt(targets, i, 'roboalignReward', key);
      return roboalignRewardParts(args.completions[i], target, { ...options, completionIds }).reward;
    });
  };
}

/** Options of {@link highLevelRewardFunction}. */
export interface HighLevelRewardFunctionOptions extends HighLevelRewardOptions {
  /** Column holding each sample's target phrase (a string); default `target_text`. */
  targetColumn?: string;
}

/** Batch {@link highLevelReward}: mean of format and high-level phrase accuracy, against `target_text`. */
export function highLevelRewardFunction(options: HighLevelRewardFunctionOptions = {}): RewardFunction {
  const name = 'highLevelReward';
  const key = options.targetColumn ?? 'target_text';
  return (args) => {
    const targets = columnOf(args, key, name);
    return perSample(name, args, (i) => {
      const target = targets[i];
      if (typeof target !== 'string') {
        throw new RewardError(
          `${name}: column "${key}" of sample ${i}: expected a phrase (string), got ${target === null ? 'null' : typeof target}`,
        );
      }
      return highLevelReward(args.completions[i], target, options);
    });
  };
}

/** Options of {@link trajectoryRewardFunction}. */
export type TrajectoryRewardFunctionOptions = TrajectoryRewardOptions & {
  /**
   * Column holding each sample's target trajectory, as `[x, y]` pairs or as text such as
   * `[(12,30),(13,29)]`; default `target_trajectory`.
   */
  targetColumn?: string;
};

function trajectoryAt(
  values: readonly unknown[],
  i: number,
  name: string,
  key: string,
): ReadonlyArray<TrajectoryPoint> {
  const what = `${name}: column "${key}" of sample ${i}`;
  const value = values[i];
  if (typeof value === 'string') {
    const parsed = parseTrajectory(value);
    if (parsed === null) {
      const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
      throw new RewardError(`${what}: no [(x, y), …] list in ${JSON.stringify(shown)}`);
    }
    return parsed;
  }
  checkTrajectory(value, what);
  return value;
}

/**
 * Batch {@link trajectoryReward}: mean of format and trajectory accuracy, against `target_trajectory`.
 * The image size is checked when the function is made.
 */
export function trajectoryRewardFunction(options: TrajectoryRewardFunctionOptions): RewardFunction {
  const name = 'trajectoryReward';
  const key = options.targetColumn ?? 'target_trajectory';
  try {
    imageScale(options);
  } catch (err) {
    if (err instanceof RewardError) throw new RewardError(`${name}: ${err.message}`);
    throw err;
  }
  return (args) => {
    const targets = columnOf(args, key, name);
    return perSample(name, args, (i) =>
      trajectoryReward(args.completions[i], trajectoryAt(targets, i, name, key), options),
    );
  };
}

/** One part of a combined reward. */
export interface WeightedReward {
  name: string;
  fn: RewardFunction;
  /** Default 1. */
  weight?: number;
}

/** Totals and each component's unweighted rewards. */
export interface CombinedRewards {
  totals: number[];
  components: Record<string, number[]>;
}

/** A reward function that can also report its components. */
export interface CombinedRewardFunction extends RewardFunction {
  details(args: RewardArgs): CombinedRewards;
}

/**
 * Sums weighted reward functions; `details` also returns each component (for logging per-reward means).
 *
 * @example
 * const reward = combineRewards([
 *   { name: 'format', fn: formatRewardFunction(), weight: 0.5 },
 *   { name: 'accuracy', fn: prefixSimilarityFunction(), weight: 0.5 },
 * ]);
 * reward({ prompts, completions, columns: { target_ids } }); // one number per completion
 */
export function combineRewards(parts: readonly WeightedReward[]): CombinedRewardFunction {
  if (parts.length === 0) throw new RewardError('combineRewards needs at least one reward function');
  const names = new Set<string>();
  for (const p of parts) {
    if (names.has(p.name)) throw new RewardError(`combineRewards: duplicate name "${p.name}"`);
    names.add(p.name);
    if (p.weight !== undefined && !Number.isFinite(p.weight)) {
      throw new RewardError(`combineRewards: weight of "${p.name}" is ${p.weight}`);
    }
  }
  const details = (args: RewardArgs): CombinedRewards => {
    const n = batchSize(args, 'combineRewards');
    const totals = new Array<number>(n).fill(0);
    const components: Record<string, number[]> = {};
    for (const { name, fn, weight = 1 } of parts) {
      const values = fn(args);
      if (values.length !== n) {
        throw new RewardError(
          `combineRewards: "${name}" returned ${values.length} rewards for ${n} completions`,
        );
      }
      values.forEach((v, i) => {
        if (!Number.isFinite(v)) throw new RewardError(`combineRewards: "${name}" gave ${v} for sample ${i}`);
        totals[i] += weight * v;
      });
      components[name] = values;
    }
    return { totals, components };
  };
  const fn = ((args: RewardArgs) => details(args).totals) as CombinedRewardFunction;
  fn.details = details;
  return fn;
}
