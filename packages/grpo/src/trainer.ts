import { completionMask } from './completion-mask.js';
import { GrpoError } from './errors.js';
import { computeGroupAdvantages, type ScaleRewards } from './group-advantages.js';
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

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length > 0 ? s / xs.length : 0;
};

/**
 * The GRPO loop. It owns the algorithm — sampling groups, rewards, advantages, old and reference
 * log-probs, μ updates over mini-batches, metrics and checkpoint hooks — and talks to the model only
 * through {@link LanguagePolicy}. `Prompt` is the policy's prompt type (a string for a text LM, an object
 * for a multimodal one).
 */
export class GrpoTrainer<Prompt = string> {
  private readonly options: GrpoTrainerOptions<Prompt>;
  private steps = 0;

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
    const o = this.options;
    const G = o.groupSize;
    const groups = await o.policy.sample(batch.prompts, G, {
      temperature: o.temperature ?? 1,
      seed: (o.seed ?? 0) + this.steps,
    });
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
    const metrics: Record<string, number> = {};
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
      metrics[`rewards/${name}`] = mean(values);
    }
    const adv = computeGroupAdvantages(rewards, G, { scaleRewards: o.scaleRewards, eps: o.advantageEps });

    const masks = completions.map((c) =>
      o.eosId === undefined ? new Float64Array(c.ids.length).fill(1) : completionMask(c.ids, o.eosId),
    );
    const oldLogprobs = completions.map((c) => Float64Array.from(c.logprobs));
    const refLogprobs =
      (o.loss.beta ?? 0) !== 0 ? await o.referencePolicy!.logprobs(prompts, completions) : undefined;

    const size = o.miniBatchSize ?? completions.length;
    const updates: Record<string, number>[] = [];
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
        await o.policy.step(mbPrompts, mbCompletions, result.gradLogprobs, { learningRate: o.learningRate });
        updates.push({ loss: result.loss, ...result.metrics });
      }
    }
    this.steps++;
    let std = 0;
    const rewardMean = mean(rewards);
    for (const r of rewards) std += (r - rewardMean) ** 2 / rewards.length;
    Object.assign(metrics, {
      step: this.steps,
      reward: rewardMean,
      reward_std: Math.sqrt(std),
      zero_std_fraction: adv.zeroStdFraction,
      completion_length: mean(completions.map((c) => c.ids.length)),
    });
    for (const key of Object.keys(updates[0] ?? {})) metrics[key] = mean(updates.map((u) => u[key]));
    await o.onMetrics?.(metrics);
    if (o.checkpointEvery !== undefined && this.steps % o.checkpointEvery === 0)
      await o.onCheckpoint?.(this.steps);
    return metrics;
  }
}
