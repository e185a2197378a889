import { completionMask } from './completion-mask.js';
import { GrpoError } from './errors.js';
import { computeGroupAdvantages, type ScaleRewards, ZERO_STD } from './group-advantages.js';
import type { Completion, LanguagePolicy, ReferencePolicy } from './policy.js';
import { type PolicyLossOptions, policyLoss } from './policy-loss.js';

/**
 * What a reward function receives: the shape of `@roboalign/rewards`' batch functions (and TRL's). The
 * prompts are the policy's own (TRL passes its prompts as given too); with string prompts the batch
 * functions of `@roboalign/rewards` fit as they are.
 */
export interface GrpoRewardArgs<Prompt = string> {
  prompts: readonly Prompt[];
  completions: readonly string[];
  completionIds: readonly ArrayLike<number>[];
  /** Per-completion dataset columns (each prompt's values repeated for its group). */
  columns: Readonly<Record<string, readonly unknown[]>>;
}

/** One number per completion. */
export type GrpoRewardFunction<Prompt = string> = (args: GrpoRewardArgs<Prompt>) => number[];

/** A named, weighted reward. */
export interface GrpoReward<Prompt = string> {
  name: string;
  fn: GrpoRewardFunction<Prompt>;
  /** Default 1. */
  weight?: number;
}

/** Options of {@link GrpoTrainer}. */
export interface GrpoTrainerOptions<Prompt = string> {
  policy: LanguagePolicy<Prompt>;
  /** Frozen reference for the KL term; required when `loss.beta` is not 0. */
  referencePolicy?: ReferencePolicy<Prompt>;
  rewards: readonly GrpoReward<Prompt>[];
  /** Completions per prompt. */
  groupSize: number;
  /** The objective. */
  loss: PolicyLossOptions;
  /** Optimizer updates per sampled batch (μ); default 1. */
  iterations?: number;
  /** Completions per optimizer update; default the whole batch. */
  miniBatchSize?: number;
  scaleRewards?: ScaleRewards;
  /** Added to the reward std; default 1e-4. */
  advantageEps?: number;
  learningRate: number;
  /** Sampling temperature; default 1. */
  temperature?: number;
  /** Seed of the first step's sampling; each step adds 1. Default 0. */
  seed?: number;
  /** End-of-sequence id: tokens after the first one are masked out of the loss. */
  eosId?: number;
  /** Called with each step's metrics (e.g. a JSONL writer). */
  onMetrics?: (metrics: Record<string, number>) => void | Promise<void>;
  /** Call `onCheckpoint` every this many steps. */
  checkpointEvery?: number;
  onCheckpoint?: (step: number) => void | Promise<void>;
}

/** One batch of prompts with their dataset columns (one value per prompt). */
export interface GrpoBatch<Prompt = string> {
  prompts: readonly Prompt[];
  columns?: Readonly<Record<string, readonly unknown[]>>;
}

/**
 * Sampled and scored groups, not yet trained on: `prompts`, `completions` and `rewards` hold one entry per
 * completion, group by group (`groupSize` in a row).
 */
export interface GrpoRollout<Prompt = string> {
  prompts: readonly Prompt[];
  completions: readonly Completion[];
  /** The weighted sum of the rewards, per completion. */
  rewards: Float64Array;
  /** Each named reward's values, per completion (unweighted). */
  rewardParts: Readonly<Record<string, Float64Array>>;
}

/** Options of {@link GrpoTrainer.stepWithDynamicSampling}. */
export interface DynamicSamplingOptions {
  /** Groups with unequal rewards to gather for the update. */
  groups: number;
  /** Batches sampled at most; the update uses what was gathered by then (none: no update). */
  maxRounds: number;
}

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length > 0 ? s / xs.length : 0;
};

const std = (xs: ArrayLike<number>) => {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return xs.length > 0 ? Math.sqrt(s / xs.length) : 0;
};

/** The groups of `rollout` picked by `keep(group index)`, in order. */
function selectGroups<Prompt>(
  rollout: GrpoRollout<Prompt>,
  groupSize: number,
  keep: (group: number) => boolean,
): GrpoRollout<Prompt> {
  const picked: number[] = [];
  for (let g = 0; g < rollout.completions.length / groupSize; g++)
    if (keep(g)) for (let j = 0; j < groupSize; j++) picked.push(g * groupSize + j);
  const take = (xs: Float64Array) => Float64Array.from(picked, (i) => xs[i]);
  return {
    prompts: picked.map((i) => rollout.prompts[i]),
    completions: picked.map((i) => rollout.completions[i]),
    rewards: take(rollout.rewards),
    rewardParts: Object.fromEntries(Object.entries(rollout.rewardParts).map(([k, v]) => [k, take(v)])),
  };
}

/**
 * The groups of `rollout` whose rewards are not all equal (standard deviation above TRL's zero, the one
 * `zero_std_fraction` counts): the only ones whose advantages are not zero. DAPO's dynamic sampling
 * (Yu et al., 2025, §3.2) trains on these alone.
 */
export function variedGroups<Prompt>(rollout: GrpoRollout<Prompt>, groupSize: number): GrpoRollout<Prompt> {
  const { groupStds } = computeGroupAdvantages(rollout.rewards, groupSize);
  return selectGroups(rollout, groupSize, (g) => groupStds[g] > ZERO_STD);
}

/** Several rollouts as one, in order. */
export function concatRollouts<Prompt>(rollouts: readonly GrpoRollout<Prompt>[]): GrpoRollout<Prompt> {
  const cat = (parts: Float64Array[]) => {
    const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const names = Object.keys(rollouts[0]?.rewardParts ?? {});
  return {
    prompts: rollouts.flatMap((r) => r.prompts),
    completions: rollouts.flatMap((r) => r.completions),
    rewards: cat(rollouts.map((r) => r.rewards)),
    rewardParts: Object.fromEntries(names.map((k) => [k, cat(rollouts.map((r) => r.rewardParts[k]))])),
  };
}

/**
 * The GRPO loop. It owns the algorithm — sampling groups, rewards, advantages, old and reference
 * log-probs, μ updates over mini-batches, metrics and checkpoint hooks — and talks to the model only
 * through {@link LanguagePolicy}. `Prompt` is the policy's prompt type (a string for a text LM, an object
 * for a multimodal one).
 */
export class GrpoTrainer<Prompt = string> {
  private readonly options: GrpoTrainerOptions<Prompt>;
  private steps = 0;
  private rollouts = 0;

  constructor(options: GrpoTrainerOptions<Prompt>) {
    if (options.rewards.length === 0) throw new GrpoError('GrpoTrainer needs at least one reward');
    if (!Number.isInteger(options.groupSize) || options.groupSize < 1) {
      throw new GrpoError(`groupSize must be a positive integer, got ${options.groupSize}`);
    }
    if ((options.loss.beta ?? 0) !== 0 && options.referencePolicy === undefined) {
      throw new GrpoError('loss.beta is not 0: pass a referencePolicy');
    }
    const mb = options.miniBatchSize;
    if (mb !== undefined && (!Number.isInteger(mb) || mb < 1)) {
      throw new GrpoError(`miniBatchSize must be a positive integer, got ${mb}`);
    }
    this.options = options;
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Samples, scores and updates on one batch of prompts; returns the step's metrics. */
  async step(batch: GrpoBatch<Prompt>): Promise<Record<string, number>> {
    return this.update(await this.rollout(batch));
  }

  /**
   * One step with DAPO's dynamic sampling (Yu et al., 2025, §3.2): samples batches from `nextBatch` until
   * `groups` groups with unequal rewards are gathered or `maxRounds` batches were sampled, and updates on
   * the first `groups` of them alone. The reward metrics are over every sampled completion, so they stay
   * the policy's reward on the prompts drawn; `groups_kept` and `sampling_rounds` say what the filter did.
   * With no varied group the step makes no update.
   */
  async stepWithDynamicSampling(
    nextBatch: () => GrpoBatch<Prompt>,
    options: DynamicSamplingOptions,
  ): Promise<Record<string, number>> {
    const { groups, maxRounds } = options;
    if (!Number.isInteger(groups) || groups < 1)
      throw new GrpoError(`dynamic sampling: groups must be a positive integer, got ${groups}`);
    if (!Number.isInteger(maxRounds) || maxRounds < 1)
      throw new GrpoError(`dynamic sampling: maxRounds must be a positive integer, got ${maxRounds}`);
    const G = this.options.groupSize;
    const sampled: GrpoRollout<Prompt>[] = [];
    let found = 0;
    while (found < groups && sampled.length < maxRounds) {
      const rollout = await this.rollout(nextBatch());
      sampled.push(rollout);
      found += variedGroups(rollout, G).completions.length / G;
    }
    const all = concatRollouts(sampled);
    const train = selectGroups(variedGroups(all, G), G, (g) => g < groups);
    return this.update(train, {
      ...this.samplingMetrics(all),
      groups_kept: train.completions.length / G,
      sampling_rounds: sampled.length,
    });
  }

  /** Samples a group per prompt and scores every completion; no update. */
  async rollout(batch: GrpoBatch<Prompt>): Promise<GrpoRollout<Prompt>> {
    const o = this.options;
    const G = o.groupSize;
    const groups = await o.policy.sample(batch.prompts, G, {
      temperature: o.temperature ?? 1,
      seed: (o.seed ?? 0) + this.rollouts,
    });
    this.rollouts++;
    if (groups.length !== batch.prompts.length || groups.some((g) => g.length !== G)) {
      throw new GrpoError(
        `policy.sample must return ${G} completions for each of ${batch.prompts.length} prompts`,
      );
    }
    const completions: Completion[] = groups.flat();
    const prompts = batch.prompts.flatMap((p) => Array<Prompt>(G).fill(p));
    const columns: Record<string, unknown[]> = {};
    for (const [key, values] of Object.entries(batch.columns ?? {})) {
      if (values.length !== batch.prompts.length) {
        throw new GrpoError(
          `column "${key}" has ${values.length} values for ${batch.prompts.length} prompts`,
        );
      }
      columns[key] = values.flatMap((v) => Array<unknown>(G).fill(v));
    }

    const args: GrpoRewardArgs<Prompt> = {
      prompts,
      completions: completions.map((c) => c.text ?? ''),
      completionIds: completions.map((c) => c.ids),
      columns,
    };
    const rewards = new Float64Array(completions.length);
    const rewardParts: Record<string, Float64Array> = {};
    for (const { name, fn, weight = 1 } of o.rewards) {
      const values = fn(args);
      if (values.length !== completions.length) {
        throw new GrpoError(
          `reward "${name}" returned ${values.length} values for ${completions.length} completions`,
        );
      }
      values.forEach((v, i) => {
        if (!Number.isFinite(v)) throw new GrpoError(`reward "${name}" gave ${v} for completion ${i}`);
        rewards[i] += weight * v;
      });
      rewardParts[name] = Float64Array.from(values);
    }
    return { prompts, completions, rewards, rewardParts };
  }

  /** A rollout's reward metrics: means over its completions, and its share of groups with equal rewards. */
  private samplingMetrics(rollout: GrpoRollout<Prompt>): Record<string, number> {
    const G = this.options.groupSize;
    const metrics: Record<string, number> = {};
    for (const [name, values] of Object.entries(rollout.rewardParts))
      metrics[`rewards/${name}`] = mean(values);
    return {
      ...metrics,
      reward: mean(rollout.rewards),
      reward_std: std(rollout.rewards),
      zero_std_fraction: computeGroupAdvantages(rollout.rewards, G).zeroStdFraction,
      completion_length: mean(rollout.completions.map((c) => c.ids.length)),
    };
  }

  /**
   * Advantages, old and reference log-probs, and μ updates over mini-batches on a rollout's groups. Counts
   * a step, reports `metrics` (default: the rollout's reward metrics, as `step` reports them) with the
   * updates' means added, and calls the hooks; an empty rollout updates nothing.
   */
  async update(
    rollout: GrpoRollout<Prompt>,
    metrics: Record<string, number> = this.samplingMetrics(rollout),
  ): Promise<Record<string, number>> {
    const o = this.options;
    const { prompts, completions } = rollout;
    const updates: Record<string, number>[] = [];
    if (completions.length > 0) {
      const adv = computeGroupAdvantages(rollout.rewards, o.groupSize, {
        scaleRewards: o.scaleRewards,
        eps: o.advantageEps,
      });
      const masks = completions.map((c) =>
        o.eosId === undefined ? new Float64Array(c.ids.length).fill(1) : completionMask(c.ids, o.eosId),
      );
      const oldLogprobs = completions.map((c) => Float64Array.from(c.logprobs));
      const refLogprobs =
        (o.loss.beta ?? 0) !== 0 ? await o.referencePolicy!.logprobs(prompts, completions) : undefined;
      const size = o.miniBatchSize ?? completions.length;
      for (let iter = 0; iter < (o.iterations ?? 1); iter++) {
        for (let from = 0; from < completions.length; from += size) {
          const to = Math.min(from + size, completions.length);
          const mbPrompts = prompts.slice(from, to);
          const mbCompletions = completions.slice(from, to);
          const logprobs = await o.policy.logprobs(mbPrompts, mbCompletions);
          const result = policyLoss(
            {
              logprobs,
              oldLogprobs: oldLogprobs.slice(from, to),
              refLogprobs: refLogprobs?.slice(from, to),
              advantages: adv.advantages.subarray(from, to),
              mask: masks.slice(from, to),
            },
            o.loss,
          );
          await o.policy.step(mbPrompts, mbCompletions, result.gradLogprobs, {
            learningRate: o.learningRate,
          });
          updates.push({ loss: result.loss, ...result.metrics });
        }
      }
    }
    this.steps++;
    const out: Record<string, number> = { ...metrics, step: this.steps };
    for (const key of Object.keys(updates[0] ?? {})) out[key] = mean(updates.map((u) => u[key]));
    await o.onMetrics?.(out);
    if (o.checkpointEvery !== undefined && this.steps % o.checkpointEvery === 0)
      await o.onCheckpoint?.(this.steps);
    return out;
  }
}
