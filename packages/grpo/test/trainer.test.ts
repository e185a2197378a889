import { describe, expect, it } from 'vitest';
import * as grpo from '../src/index.js';
import { GRPO_PRESETS } from '../src/presets.js';
import { type GrpoRewardFunction, GrpoTrainer, type GrpoTrainerOptions } from '../src/trainer.js';
import { TabularPolicy } from './helpers/tabular-policy.js';

/** Common-prefix length / target length, against the `target` column (a local copy: grpo imports no rewards). */
const prefixReward: GrpoRewardFunction = ({ completionIds, columns }) =>
  completionIds.map((ids, i) => {
    const target = columns.target[i] as number[];
    let k = 0;
    while (k < target.length && ids[k] === target[k]) k++;
    return k / target.length;
  });

const target = [3, 1, 4, 1, 5];
const prompts = ['reach the bowl', 'reach the bowl', 'reach the bowl', 'reach the bowl'];
const columns = { target: prompts.map(() => target) };

async function train(seed: number, steps: number, extra: Partial<GrpoTrainerOptions> = {}) {
  const policy = new TabularPolicy(6, target.length);
  const history: Record<string, number>[] = [];
  const trainer = new GrpoTrainer({
    policy,
    rewards: [{ name: 'prefix', fn: prefixReward }],
    groupSize: 8,
    loss: { lossType: 'token-mean', epsLow: 0.2, epsHigh: 0.28 },
    learningRate: 20,
    seed: seed * 1000,
    onMetrics: (m) => {
      history.push(m);
    },
    ...extra,
  });
  for (let s = 0; s < steps; s++) await trainer.step({ prompts, columns });
  return { policy, history, trainer };
}

describe('GrpoTrainer with an exact tabular policy', () => {
  it('learns the target sequence from the prefix reward, for every seed', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { policy, history } = await train(seed, 60);
      const first = history.slice(0, 5).reduce((a, m) => a + m.reward, 0) / 5;
      const last = history.slice(-5).reduce((a, m) => a + m.reward, 0) / 5;
      expect(first).toBeLessThan(0.4);
      expect(last).toBeGreaterThan(0.9);
      // The greedy sequence is the target.
      const greedy = target.map((_, t) => {
        const p = policy.probs(t);
        return p.indexOf(Math.max(...p));
      });
      expect(greedy).toEqual(target);
    }
  });

  it('runs μ iterations over mini-batches with a KL to a frozen reference, logging and checkpointing', async () => {
    const reference = new TabularPolicy(6, target.length);
    const checkpoints: number[] = [];
    const { history } = await train(9, 6, {
      referencePolicy: reference,
      loss: { lossType: 'seq-mean-token-mean', beta: 0.04, epsLow: 0.2 },
      iterations: 2,
      miniBatchSize: 8,
      checkpointEvery: 3,
      onCheckpoint: (step) => {
        checkpoints.push(step);
      },
    });
    expect(checkpoints).toEqual([3, 6]);
    expect(history).toHaveLength(6);
    for (const m of history) {
      for (const key of [
        'reward',
        'rewards/prefix',
        'loss',
        'kl_mean',
        'clip_fraction_low',
        'zero_std_fraction',
      ]) {
        expect(Number.isFinite(m[key]), key).toBe(true);
      }
    }
    expect(history[5].kl_mean).toBeGreaterThan(0); // the policy moved away from the reference
  });

  it('rejects a missing reference when beta is set, and bad reward output', async () => {
    const policy = new TabularPolicy(3, 2);
    expect(
      () =>
        new GrpoTrainer({
          policy,
          rewards: [{ name: 'r', fn: () => [] }],
          groupSize: 2,
          loss: { lossType: 'grpo', beta: 0.1 },
          learningRate: 1,
        }),
    ).toThrow(/pass a referencePolicy/);
    const broken = new GrpoTrainer({
      policy,
      rewards: [{ name: 'nan', fn: ({ completions }) => completions.map(() => Number.NaN) }],
      groupSize: 2,
      loss: { lossType: 'grpo' },
      learningRate: 1,
    });
    await expect(broken.step({ prompts: ['p'] })).rejects.toThrow(/reward "nan" gave NaN for completion 0/);
  });

  it('trains with the roboalign preset numbers', async () => {
    const p = GRPO_PRESETS.roboalign;
    expect(p).toMatchObject({ groupSize: 5, epsLow: 0.2, epsHigh: 0.3, beta: 0.01, learningRate: 1e-6 });
    const { history } = await train(3, 40, {
      groupSize: p.groupSize,
      referencePolicy: new TabularPolicy(6, target.length),
      loss: {
        lossType: p.lossType,
        epsLow: p.epsLow,
        epsHigh: p.epsHigh,
        clipRatioC: p.clipRatioC,
        beta: p.beta,
      },
      scaleRewards: p.scaleRewards,
      advantageEps: p.advantageEps,
    });
    expect(history.slice(-5).reduce((a, m) => a + m.reward, 0) / 5).toBeGreaterThan(0.8);
  });

  it('takes any prompt type: multimodal prompts reach the policy and the rewards as given, one per completion', async () => {
    interface ImagePrompt {
      image: Float32Array;
      instruction: string;
    }
    const a: ImagePrompt = { image: new Float32Array(4), instruction: 'pick the cup' };
    const b: ImagePrompt = { image: new Float32Array(4).fill(1), instruction: 'open the drawer' };
    const policy = new TabularPolicy<ImagePrompt>(6, target.length);
    const seen: (readonly ImagePrompt[])[] = [];
    const trainer = new GrpoTrainer<ImagePrompt>({
      policy,
      referencePolicy: new TabularPolicy<ImagePrompt>(6, target.length),
      rewards: [
        {
          name: 'prefix',
          fn: (args) => {
            seen.push(args.prompts);
            return prefixReward({ ...args, prompts: args.prompts.map((p) => p.instruction) });
          },
        },
      ],
      groupSize: 3,
      loss: { lossType: 'grpo', beta: 0.01 },
      learningRate: 1,
      miniBatchSize: 2,
    });
    await trainer.step({ prompts: [a, b], columns: { target: [target, target] } });
    const grouped = [a, a, a, b, b, b];
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(6);
    seen[0].forEach((p, i) => {
      expect(p).toBe(grouped[i]);
    });
    expect(policy.calls.map((c) => c.method)).toEqual([
      'sample',
      ...['logprobs', 'step', 'logprobs', 'step', 'logprobs', 'step'],
    ]);
    expect(policy.calls[0].prompts).toEqual([a, b]);
    // Mini-batches of 2 completions carry the prompts of exactly those completions.
    const stepPrompts = policy.calls.filter((c) => c.method === 'step').map((c) => c.prompts);
    expect(stepPrompts).toEqual([grouped.slice(0, 2), grouped.slice(2, 4), grouped.slice(4, 6)]);
    stepPrompts.flat().forEach((p, i) => {
      expect(p).toBe(grouped[i]);
    });
  });

  it('keeps the deprecated names as aliases of the new ones', () => {
    expect(grpo.PRESETS).toBe(grpo.GRPO_PRESETS);
    // Type-level: the deprecated Policy is LanguagePolicy<string>.
    const policy: grpo.Policy = new TabularPolicy(2, 1);
    const language: grpo.LanguagePolicy = policy;
    expect(language).toBe(policy);
  });
});

describe("DAPO's dynamic sampling", () => {
  const completion = (id: number) => ({ ids: [id], logprobs: [-0.7], text: String(id) });
  const rollout = (rewards: number[], prompt: string): grpo.GrpoRollout => ({
    prompts: rewards.map(() => prompt),
    completions: rewards.map((r) => completion(r)),
    rewards: Float64Array.from(rewards),
    rewardParts: { r: Float64Array.from(rewards, (r) => 2 * r) },
  });

  it('keeps the groups whose rewards differ, and joins rollouts in order (hand table)', () => {
    // Groups of 2: [1, 1] flat, [0, 1] varied, [0.5, 0.5] flat, [0.25, 0] varied.
    const varied = grpo.variedGroups(rollout([1, 1, 0, 1, 0.5, 0.5, 0.25, 0], 'p'), 2);
    expect(Array.from(varied.rewards)).toEqual([0, 1, 0.25, 0]);
    expect(Array.from(varied.rewardParts.r)).toEqual([0, 2, 0.5, 0]);
    expect(varied.completions.map((c) => c.text)).toEqual(['0', '1', '0.25', '0']);
    // A spread below TRL's zero counts as flat.
    expect(grpo.variedGroups(rollout([0.3, 0.3 + 1e-10], 'p'), 2).completions).toHaveLength(0);
    const joined = grpo.concatRollouts([rollout([1, 0], 'a'), rollout([0.5, 0.5], 'b')]);
    expect(joined.prompts).toEqual(['a', 'a', 'b', 'b']);
    expect(Array.from(joined.rewards)).toEqual([1, 0, 0.5, 0.5]);
    expect(Array.from(joined.rewardParts.r)).toEqual([2, 0, 1, 1]);
    expect(grpo.concatRollouts([]).completions).toHaveLength(0);
  });

  /** Reward ids[0] on prompts called "open", 0 on prompts called "flat": flat prompts never vary. */
  const openOnly: GrpoRewardFunction = ({ prompts, completionIds }) =>
    completionIds.map((ids, i) => (prompts[i] === 'open' ? ids[0] : 0));
  const trainer = (policy: TabularPolicy) =>
    new GrpoTrainer({
      policy,
      rewards: [{ name: 'open', fn: openOnly }],
      groupSize: 4,
      loss: { lossType: 'token-mean' },
      learningRate: 1,
    });

  it('samples until it has the groups asked for, trains on those alone and reports every sampled group', async () => {
    const policy = new TabularPolicy(2, 1);
    const batches = [
      ['flat', 'flat'],
      ['flat', 'open', 'open', 'open'],
    ];
    let drawn = 0;
    const m = await trainer(policy).stepWithDynamicSampling(() => ({ prompts: batches[drawn++] }), {
      groups: 2,
      maxRounds: 5,
    });
    // Uniform policy, 4 samples: an "open" group is flat only when all four agree (seeded, not here).
    expect(m.sampling_rounds).toBe(2);
    expect(m.groups_kept).toBe(2);
    expect(m.zero_std_fraction).toBeCloseTo(3 / 6, 12);
    const steps = policy.calls.filter((c) => c.method === 'step');
    expect(steps).toHaveLength(1);
    expect(steps[0].prompts).toEqual(Array(8).fill('open'));
    expect(m.step).toBe(1);
    expect(m.loss).toBeTypeOf('number');
  });

  it('rollout then update is step, metrics and weights alike', async () => {
    const stepped = new TabularPolicy(2, 1);
    const parted = new TabularPolicy(2, 1);
    const batch = { prompts: ['open', 'flat', 'open'] };
    const viaStep = await trainer(stepped).step(batch);
    const t = trainer(parted);
    const viaParts = await t.update(await t.rollout(batch));
    expect(viaParts).toEqual(viaStep);
    expect(parted.logits).toEqual(stepped.logits);
    expect(viaStep.zero_std_fraction).toBeGreaterThanOrEqual(1 / 3);
  });

  it('makes no update when no group varies within maxRounds, and rejects bad options', async () => {
    const policy = new TabularPolicy(2, 1);
    const before = Float64Array.from(policy.logits);
    const t = trainer(policy);
    const m = await t.stepWithDynamicSampling(() => ({ prompts: ['flat'] }), { groups: 1, maxRounds: 3 });
    expect(m).toMatchObject({ sampling_rounds: 3, groups_kept: 0, zero_std_fraction: 1, reward: 0, step: 1 });
    expect(m.loss).toBeUndefined();
    expect(policy.calls.map((c) => c.method)).toEqual(['sample', 'sample', 'sample']);
    expect(policy.logits).toEqual(before);
    expect(t.stepCount).toBe(1);
    await expect(
      t.stepWithDynamicSampling(() => ({ prompts: ['open'] }), { groups: 0, maxRounds: 1 }),
    ).rejects.toThrow(/groups must be a positive integer, got 0/);
    await expect(
      t.stepWithDynamicSampling(() => ({ prompts: ['open'] }), { groups: 1, maxRounds: 1.5 }),
    ).rejects.toThrow(/maxRounds must be a positive integer, got 1.5/);
  });

  it('learns the target while most prompts give no signal', async () => {
    const policy = new TabularPolicy(6, target.length);
    const flatOrTarget: GrpoRewardFunction = (args) =>
      prefixReward(args).map((r, i) => (args.prompts[i] === 'flat' ? 0 : r));
    const t = new GrpoTrainer({
      policy,
      rewards: [{ name: 'prefix', fn: flatOrTarget }],
      groupSize: 8,
      loss: { lossType: 'token-mean', epsLow: 0.2, epsHigh: 0.28 },
      learningRate: 20,
      seed: 7,
    });
    // Three flat prompts for every one that can vary.
    const prompts = ['flat', 'flat', 'flat', 'reach the bowl'];
    const batch = { prompts, columns: { target: prompts.map(() => target) } };
    for (let s = 0; s < 40; s++) await t.stepWithDynamicSampling(() => batch, { groups: 2, maxRounds: 4 });
    const greedy = target.map((_, i) => {
      const p = policy.probs(i);
      return p.indexOf(Math.max(...p));
    });
    expect(greedy).toEqual(target);
  });
});
